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

        // Inline. A rebuild pages the events with Marten's default size (500): its page query (`seq_id > $1 and seq_id <= $2
        // … order by seq_id limit n`) runs with a generic plan here (ADR 0084), and PostgreSQL's generic estimate for a
        // range of unknown bounds is ≈ 0.4 % of the events. With n under that estimate it walks the seq_id index and stops
        // after n events; with n over it (the 5 000 of ADR 0081, at a million events) it reads every event up to the
        // high-water mark, joins and sorts them for each page, and the rebuild grows with the square of the store.
        options.Projections.Add<ReferralDetailsProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<ContactPersonHistoryProjection>(ProjectionLifecycle.Inline);
        options.Projections.Add<AccompanimentDetailsProjection>(ProjectionLifecycle.Inline);

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
}
