using Coordination.Secrecy.Gate.Audit;
using Coordination.ServiceDefaults.Messaging;
using JasperFx.Events;
using Referrals.Api.Accompaniments;
using Referrals.Api.ContactPersons;
using Referrals.Api.Referrals;
using Contracts = Referrals.Contracts;

namespace Referrals.Api.Messaging;

/// <summary>
/// What Referrals tells the other services: ids, codes, dates and the acting subject, never the reason or
/// the notes (orientation_details and accompaniment notes stay here). Events not listed here (appointment
/// outcomes added to a referral, an accompaniment hidden) stay inside Referrals.
/// </summary>
public sealed class ReferralsContracts : IContractMap
{
    public object? ToContract(IEvent @event) => @event.Data switch
    {
        ReferralSent e => new Contracts.ReferralSent(e.ReferralId, e.PersonId, e.FromBodyId, e.By.Subject, e.ToBodyId, e.ServiceId, e.Need,
            e.TargetRight.Code(), e.Urgency.Code(), e.DueBy, e.PreviousReferralId, @event.Timestamp),
        ReferralReviewStarted e => new Contracts.ReferralReviewStarted(e.ReferralId, e.PersonId, e.ToBodyId, @event.Timestamp),
        ReferralAccepted e => new Contracts.ReferralAccepted(e.ReferralId, e.PersonId, e.ToBodyId, @event.Timestamp),
        ReferralDeclined e => new Contracts.ReferralDeclined(e.ReferralId, e.PersonId, e.ToBodyId, e.Reason.Code(), @event.Timestamp),
        ReferralRedirected e => new Contracts.ReferralRedirected(e.ReferralId, e.PersonId, e.RedirectingBodyId, e.NewReferralId, e.NewToBodyId,
            e.Reason.Code(), @event.Timestamp),
        ReferralClosed e => new Contracts.ReferralClosed(e.ReferralId, e.PersonId, e.ToBodyId, e.Outcome.Code(), e.TargetRight.Code(), @event.Timestamp),
        ReferralWithdrawn e => new Contracts.ReferralWithdrawn(e.ReferralId, e.PersonId, e.FromBodyId, e.Reason.Code(), @event.Timestamp),
        ReferralExpired e => new Contracts.ReferralExpired(e.ReferralId, e.PersonId, e.ToBodyId, @event.Timestamp),
        ContactPersonDesignated e => new Contracts.ContactPersonDesignated(e.PersonId, e.BodyId, e.MemberId, e.MemberDisplayName, @event.Timestamp),
        ContactPersonEnded e => new Contracts.ContactPersonEnded(e.PersonId, e.BodyId, e.MemberId, e.Reason.Code(), @event.Timestamp),
        AccompanimentLogged e => new Contracts.AccompanimentLogged(e.AccompanimentId, e.PersonId, e.Author.Subject, e.Kind.Code(), e.On, e.BodyId,
            @event.Timestamp),
        _ => AuditContracts.ToContract(@event),
    };
}
