using JasperFx.Events.Projections;
using Marten;
using Referrals.Api.Accompaniments;
using Referrals.Api.Accompaniments.Listing;
using Referrals.Api.ContactPersons;
using Referrals.Api.ContactPersons.Listing;
using Referrals.Api.Copies;
using Referrals.Api.Privacy;
using Referrals.Api.Referrals;
using Referrals.Api.Referrals.GettingDetails;

namespace Referrals.Api;

/// <summary>Referrals' events, read models and copies. Projections are inline: a read right after a write sees it.</summary>
public static class ReferralsModel
{
    public static void Configure(StoreOptions options)
    {
        options.Events.AddEventTypes([
            typeof(ReferralSent), typeof(ReferralReviewStarted), typeof(ReferralAccepted), typeof(ReferralDeclined), typeof(ReferralRedirected),
            typeof(ReferralClosed), typeof(ReferralWithdrawn), typeof(ReferralExpired), typeof(ReferralAppointmentAttended),
            typeof(ReferralAppointmentMissed),
            typeof(ContactPersonDesignated), typeof(ContactPersonEnded),
            typeof(AccompanimentLogged), typeof(AccompanimentHidden),
        ]);
        ReferralsMasking.Configure(options);

        // Inline; the options only matter when the daemon rebuilds a projection (after a change of its code): pages
        // of 5 000 events instead of Marten's 500 mean a tenth of the round trips and commits.
        options.Projections.Add<ReferralDetailsProjection>(ProjectionLifecycle.Inline, RebuildPages);
        options.Projections.Add<ContactPersonHistoryProjection>(ProjectionLifecycle.Inline, RebuildPages);
        options.Projections.Add<AccompanimentDetailsProjection>(ProjectionLifecycle.Inline, RebuildPages);

        // Every follow-up document is read by person; inboxes and outboxes by body; the expiry job by deadline.
        options.Schema.For<ReferralDetails>()
            .Duplicate(r => r.PersonId).Duplicate(r => r.ToBodyId).Duplicate(r => r.FromBodyId).Duplicate(r => r.ExpiresAt);
        options.Schema.For<ContactPersonHistory>().Duplicate(h => h.PersonId).Index(h => h.CurrentMemberId);
        options.Schema.For<AccompanimentDetails>().Duplicate(a => a.PersonId);
        options.Schema.For<AppointmentCopy>().Duplicate(a => a.PersonId).UseOptimisticConcurrency(true);
        // The member copy is the meeting point of a designation and the member's departure (optimistic concurrency).
        options.Schema.For<MemberCopy>().UseOptimisticConcurrency(true);
        options.Schema.For<PersonNameCopy>().UseOptimisticConcurrency(true);
        options.Schema.For<ServiceCopy>().UseOptimisticConcurrency(true);
    }

    private static void RebuildPages(AsyncOptions options)
    {
        options.BatchSize = 5_000;
        options.MaximumHopperSize = 20_000;
    }
}
