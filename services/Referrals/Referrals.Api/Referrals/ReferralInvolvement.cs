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
    public static async Task WriteAsync(IDocumentSession session, IEnumerable<object> events, CancellationToken ct)
    {
        foreach (var e in events)
        {
            switch (e)
            {
                // A redirect is followed by the new referral's ReferralSent, from the redirecting body: that covers it.
                case ReferralSent s:
                    await Involvements.Involve(session, s.PersonId, s.FromBodyId, InvolvementKind.ReferralSender, s.ReferralId, s.At, ct);
                    await Involvements.Involve(session, s.PersonId, s.ToBodyId, InvolvementKind.ReferralReceiver, s.ReferralId, s.At, ct);
                    break;
                case ReferralDeclined d:
                    await Involvements.RestrictToItem(session, d.PersonId, d.ToBodyId, InvolvementKind.ReferralReceiver, d.ReferralId, d.At, ct);
                    break;
                case ReferralExpired x:
                    await Involvements.RestrictToItem(session, x.PersonId, x.ToBodyId, InvolvementKind.ReferralReceiver, x.ReferralId, x.At, ct);
                    break;
            }
        }
    }
}
