using Consents.Api.Companions;
using Consents.Api.Consents;
using Coordination.Secrecy.Gate.Copies;
using Marten.Events.Aggregation;

namespace Consents.Api.Copies;

// Consents owns grants and companions, so it keeps the gate's copies of them inline, in the transaction of
// its own events: PersonFactsLoader and SecrecyGate decide here exactly as in the services that receive the
// copies through contracts, and a revocation is enforced here from the moment it commits.

public sealed class GrantCopyProjection : SingleStreamProjection<GrantCopy, Guid>
{
    public static GrantCopy Create(ConsentGranted e) =>
        new(e.ConsentId, e.PersonId, e.BodyId, e.Categories, e.Purpose, e.ValidFrom, e.ValidUntil, null, null, Known: true);

    public static GrantCopy Apply(ConsentRevoked e, GrantCopy copy) => copy with { RevokedAt = copy.RevokedAt ?? e.RevokedAt };

    public static GrantCopy Apply(ConsentExpired e, GrantCopy copy) => copy with { ExpiredAt = copy.ExpiredAt ?? e.ExpiredAt };
}

public sealed class CompanionCopyProjection : SingleStreamProjection<CompanionCopy, Guid>
{
    public static CompanionCopy Create(CompanionChosen e) =>
        new(e.CompanionId, e.PersonId, e.UserSubject, e.DisplayName, Codes.Of(e.Relationship), e.AttendsAppointments, e.ReceivesNotifications,
            e.Categories, e.ValidUntil, null, Known: true);

    public static CompanionCopy Apply(CompanionRemoved e, CompanionCopy copy) => copy with { RemovedAt = copy.RemovedAt ?? e.RemovedAt };
}
