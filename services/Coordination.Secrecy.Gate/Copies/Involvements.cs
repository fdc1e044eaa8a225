using Coordination.Secrecy;
using Marten;

namespace Coordination.Secrecy.Gate.Copies;

/// <summary>
/// Writes involvement records. A service calls it in the transaction of its own commands (a referral sent,
/// an appointment booked) and the copy consumers call it for other services' contracts.
/// </summary>
public static class Involvements
{
    /// <summary>Records that the body is involved; an item-only restriction already known is kept.</summary>
    public static async Task Involve(IDocumentSession session, Guid personId, Guid bodyId, InvolvementKind kind, Guid? itemId,
        DateTimeOffset asOf, CancellationToken ct)
    {
        var key = InvolvementRecord.KeyOf(personId, bodyId, kind, itemId);
        var current = await session.LoadAsync<InvolvementRecord>(key, ct);
        if (current is not null && (current.ItemOnly || current.AsOf >= asOf)) return;
        session.Store(new InvolvementRecord(key, personId, bodyId, kind, itemId, ItemOnly: false, Active: true, asOf));
    }

    /// <summary>A body that declined a referral, or to which it expired, stays involved for that referral only.</summary>
    public static async Task RestrictToItem(IDocumentSession session, Guid personId, Guid bodyId, InvolvementKind kind, Guid itemId,
        DateTimeOffset asOf, CancellationToken ct)
    {
        var key = InvolvementRecord.KeyOf(personId, bodyId, kind, itemId);
        var current = await session.LoadAsync<InvolvementRecord>(key, ct);
        if (current is { ItemOnly: true }) return;
        session.Store(new InvolvementRecord(key, personId, bodyId, kind, itemId, ItemOnly: true, Active: true, Max(current?.AsOf, asOf)));
    }

    /// <summary>
    /// A contact person (keyed by member) is current until ended; of the two facts for one member the latest
    /// wins. A handover ends one member and designates another in the same instant: two records, no race.
    /// </summary>
    public static async Task SetContactPerson(IDocumentSession session, Guid personId, Guid bodyId, Guid memberId, bool active,
        DateTimeOffset asOf, CancellationToken ct)
    {
        var key = InvolvementRecord.KeyOf(personId, bodyId, InvolvementKind.ContactPerson, memberId);
        var current = await session.LoadAsync<InvolvementRecord>(key, ct);
        if (current is not null && (current.AsOf > asOf || (current.AsOf == asOf && !current.Active))) return;
        session.Store(new InvolvementRecord(key, personId, bodyId, InvolvementKind.ContactPerson, memberId, ItemOnly: false, active, asOf));
    }

    private static DateTimeOffset Max(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;
}
