using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using Marten;

namespace Referrals.Api.Referrals;

/// <summary>
/// The involvement facts (DESIGN §4) that Referrals' own events establish, written in the command's own
/// transaction: Referrals publishes these contracts and never consumes them back.
/// </summary>
public static class ReferralInvolvement
{
    public static Task WriteAsync(IDocumentSession session, IEnumerable<object> events, CancellationToken ct) =>
        Involvements.WriteAsync(session, FactsOf(events), ct);

    public static IReadOnlyCollection<InvolvementFact> FactsOf(IEnumerable<object> events) => events.SelectMany(FactsOfEvent).ToList();

    private static IEnumerable<InvolvementFact> FactsOfEvent(object e) => e switch
    {
        // A redirect is followed by the new referral's ReferralSent, from the redirecting body: that covers it.
        ReferralSent s =>
        [
            InvolvementFact.Involved(s.PersonId, s.FromBodyId, InvolvementKind.ReferralSender, s.ReferralId, s.At),
            InvolvementFact.Involved(s.PersonId, s.ToBodyId, InvolvementKind.ReferralReceiver, s.ReferralId, s.At),
        ],
        ReferralDeclined d => [InvolvementFact.RestrictedToItem(d.PersonId, d.ToBodyId, InvolvementKind.ReferralReceiver, d.ReferralId, d.At)],
        ReferralExpired x => [InvolvementFact.RestrictedToItem(x.PersonId, x.ToBodyId, InvolvementKind.ReferralReceiver, x.ReferralId, x.At)],
        _ => [],
    };
}
