using Consents.Api.Privacy.Retention;
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
using Coordination.Secrecy;
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
        // The person's log, newest first, read from columns rather than JSON. (person_id, occurred_at) serves the page and
        // the count as an index-only scan; the consent record's latest reads by others have an index of their own without
        // the person's own reads (every consent record read adds one): through the first index, a person who opened their
        // record a few thousand times made every later opening walk past those entries (2 ms at 2 600 entries, growing).
        // The retention job drops entries by date (occurred_at's own index).
        options.Schema.For<AccessLogEntry>()
            .Duplicate(e => e.OccurredAt)
            .Index([e => e.PersonId, e => e.OccurredAt], index => index.Name = "mt_doc_accesslogentry_idx_person_occurred")
            .Index([e => e.PersonId, e => e.OccurredAt], index =>
            {
                index.Name = "mt_doc_accesslogentry_idx_person_occurred_by_others";
                index.Predicate = $"basis <> '{Bases.Self}'";
            });
        options.Policies.ForAllDocuments(mapping =>
        {
            if (mapping.DocumentType != typeof(AccessLogEntry)) return;
            // Columns without an index of their own: the person comes first in both indexes above, the basis is their filter.
            mapping.DuplicateField(nameof(AccessLogEntry.PersonId));
            mapping.DuplicateField(nameof(AccessLogEntry.Basis));
        });
        // Exports are found by person, their parts by export, and both are deleted when they expire.
        options.Schema.For<PersonExportRecord>().Index(e => e.PersonId).Index(e => e.ExpiresAt);
        options.Schema.For<PersonExportPartRecord>().Index(p => p.ExportId).Index(p => p.PersonId).Index(p => p.ExpiresAt);
        options.Schema.For<PersonDetails>().Index(p => p.RegisteredAt);
        options.Schema.For<ActivityElsewhere>().UseOptimisticConcurrency(true);
    }
}
