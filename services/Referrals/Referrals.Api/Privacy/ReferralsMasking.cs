using Coordination.Secrecy.Gate.Privacy;
using Marten;
using Referrals.Api.Accompaniments;
using Referrals.Api.Referrals;

namespace Referrals.Api.Privacy;

/// <summary>
/// What erasure leaves of Referrals' events: ids, bodies, needs, rights, urgencies, reason codes, outcomes and dates —
/// so referrals stay countable and the rights-opened statistics do not move. The reason and the notes (free text,
/// orientation_details) go, and so does a companion's name on an accompaniment they logged. Professionals' names on
/// their own actions, and the contact persons' names, are theirs: they stay.
/// </summary>
public static class ReferralsMasking
{
    public static void Configure(StoreOptions options)
    {
        var events = options.Events;
        events.AddMaskingRuleForProtectedInformation<ReferralSent>(e => e with { Reason = null });
        events.AddMaskingRuleForProtectedInformation<ReferralAccepted>(e => e with { Note = null });
        events.AddMaskingRuleForProtectedInformation<ReferralDeclined>(e => e with { Note = null });
        events.AddMaskingRuleForProtectedInformation<ReferralRedirected>(e => e with { Note = null });
        events.AddMaskingRuleForProtectedInformation<ReferralClosed>(e => e with { Note = null });
        events.AddMaskingRuleForProtectedInformation<ReferralWithdrawn>(e => e with { Note = null });
        events.AddMaskingRuleForProtectedInformation<AccompanimentLogged>(e => e with
        {
            Note = null,
            Author = e.Author.CompanionId is null ? e.Author : e.Author with { Name = Erased.Text },
        });
    }

    /// <summary>The same masking, for an event about to be appended.</summary>
    public static object Mask(object @event) => @event switch
    {
        ReferralSent e => e with { Reason = null },
        ReferralAccepted e => e with { Note = null },
        ReferralDeclined e => e with { Note = null },
        ReferralRedirected e => e with { Note = null },
        ReferralClosed e => e with { Note = null },
        ReferralWithdrawn e => e with { Note = null },
        _ => @event,
    };

    /// <summary>
    /// A referral of an erased person can still move (its bodies close it, and it counts), but no new free text about
    /// the person is written: a note given after the erasure is dropped.
    /// </summary>
    public static async Task<IReadOnlyList<object>> AfterErasureAsync(IQuerySession session, Guid personId, IReadOnlyList<object> events,
        CancellationToken ct) =>
        events.Count > 0 && await PersonErasure.IsErasedAsync(session, personId, ct) ? events.Select(Mask).ToList() : events;
}
