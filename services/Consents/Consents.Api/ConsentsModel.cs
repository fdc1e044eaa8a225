using Consents.Api.AccessLog;
using Consents.Api.Companions;
using Consents.Api.Companions.Listing;
using Consents.Api.Consents;
using Consents.Api.Consents.Listing;
using Consents.Api.ContactPersons;
using Consents.Api.Copies;
using Consents.Api.Persons;
using Consents.Api.Persons.GettingDetails;
using Consents.Api.Privacy;
using Consents.Api.Privacy.Erasing;
using Consents.Api.Privacy.Exporting;
using JasperFx.Events.Projections;
using Marten;

namespace Consents.Api;

/// <summary>Consents' event types, inline projections (read models and the gate's copies) and indexes.</summary>
public static class ConsentsModel
{
    public static void Configure(StoreOptions options)
    {
        options.Events.AddEventType<PersonRegistered>();
        options.Events.AddEventType<ActivationCodeIssued>();
        options.Events.AddEventType<ConsentGranted>();
        options.Events.AddEventType<ConsentRevoked>();
        options.Events.AddEventType<ConsentExpired>();
        options.Events.AddEventType<CompanionChosen>();
        options.Events.AddEventType<CompanionRemoved>();
        options.Events.AddEventType<PersonErased>();
        options.Events.AddEventType<PersonExportRequested>();
        ConsentsMasking.Configure(options);

        // Inline: a read model, and the copies the gate decides on, change in the transaction of their events.
        options.Projections.Add<PersonDetailsProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<ConsentDetailsProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<CompanionDetailsProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<GrantCopyProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<CompanionCopyProjection>(ProjectionLifecycle.Inline);

        // One person per folded names and birth date; the duplicate check and the exact-match search read it.
        options.Schema.For<PersonDetails>().UniqueIndex(p => p.MatchKey);
        options.Schema.For<ConsentDetails>().Index(c => c.PersonId).Index(c => c.ValidUntil);
        options.Schema.For<CompanionDetails>().Index(c => c.PersonId);
        options.Schema.For<ContactPersonEntry>().Index(c => c.PersonId);
        options.Schema.For<MemberCopy>().Index(m => m.Email);
        // The person's log, newest first: (person_id, occurred_at) serves both the page and the latest 20.
        options.Schema.For<AccessLogEntry>().Index([e => e.PersonId, e => e.OccurredAt]).Index(e => e.OccurredAt);
        // Exports are found by person, their parts by export, and both are deleted when they expire.
        options.Schema.For<PersonExportRecord>().Index(e => e.PersonId).Index(e => e.ExpiresAt);
        options.Schema.For<PersonExportPartRecord>().Index(p => p.ExportId).Index(p => p.PersonId).Index(p => p.ExpiresAt);
        options.Schema.For<PersonDetails>().Index(p => p.RegisteredAt);
    }
}
