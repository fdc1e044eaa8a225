using Consents.Api.Access;
using Consents.Api.Companions;
using Consents.Api.Consents;
using Consents.Api.Persons;
using Consents.Api.Privacy.Erasing;
using Consents.Api.Privacy.Exporting;
using Coordination.Secrecy.Gate.Privacy;
using Marten;

namespace Consents.Api.Privacy;

/// <summary>
/// What erasure leaves of Consents' events (GDPR art. 17): ids, bodies, categories, purposes, codes and dates. The
/// consent ledger keeps its proof in that form — who consented to which body sharing what, why, from when to when, and
/// when it ended — without saying who the person was. Professionals who recorded something keep their name: it is
/// their accountability, not the person's data; a person acting for themself (a person token) loses theirs.
/// </summary>
public static class ConsentsMasking
{
    public static void Configure(StoreOptions options)
    {
        var events = options.Events;
        events.AddMaskingRuleForProtectedInformation<PersonRegistered>(e => e with
        {
            GivenName = Erased.Text,
            FamilyName = Erased.Text,
            DisplayName = Erased.Text,
            BirthDate = Erased.Date,
            Phone = null,
            Email = null,
            LegalRepresentative = e.LegalRepresentative is { } r ? r with { Name = Erased.Text, MandateReference = Erased.Text } : null,
            RegisteredBy = Mask(e.RegisteredBy),
            Erased = true,
        });
        events.AddMaskingRuleForProtectedInformation<ActivationCodeIssued>(e => e with { IssuedBy = Mask(e.IssuedBy) });
        events.AddMaskingRuleForProtectedInformation<ConsentGranted>(e => e with { RecordedBy = Mask(e.RecordedBy) });
        events.AddMaskingRuleForProtectedInformation<ConsentRevoked>(e => e with { Reason = null, RecordedBy = Mask(e.RecordedBy) });
        events.AddMaskingRuleForProtectedInformation<CompanionChosen>(e => e with
        {
            DisplayName = Erased.Text,
            Phone = null,
            Email = null,
            ChosenBy = Mask(e.ChosenBy),
        });
        events.AddMaskingRuleForProtectedInformation<CompanionRemoved>(e => e with { RemovedBy = Mask(e.RemovedBy) });
        events.AddMaskingRuleForProtectedInformation<PersonErased>(e => e with { RecordedBy = Mask(e.RecordedBy) });
        events.AddMaskingRuleForProtectedInformation<PersonExportRequested>(e => e with { RequestedBy = Mask(e.RequestedBy) });
    }

    public static Actor Mask(Actor actor) => actor.Role == Erased.PersonRole ? actor with { Name = Erased.Text } : actor;
}
