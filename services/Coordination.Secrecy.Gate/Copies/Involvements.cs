using Coordination.Secrecy;
using Marten;

namespace Coordination.Secrecy.Gate.Copies;

/// <summary>
/// One fact about a body's involvement with a person, merged into the record it concerns. Merging is
/// idempotent and does not depend on the order facts arrive in: a redelivered or late fact changes nothing.
/// </summary>
public abstract record InvolvementFact(string Key)
{
    /// <summary>The record as it should be once this fact is known, or null when the fact changes nothing.</summary>
    public abstract InvolvementRecord? MergeInto(InvolvementRecord? current);

    /// <summary>The body is involved; an item-only restriction already known is kept.</summary>
    public static InvolvementFact Involved(Guid personId, Guid bodyId, InvolvementKind kind, Guid? itemId, DateTimeOffset asOf) =>
        new InvolvedFact(InvolvementRecord.KeyOf(personId, bodyId, kind, itemId), personId, bodyId, kind, itemId, asOf);

    /// <summary>A body that declined a referral, or to which it expired, stays involved for that referral only.</summary>
    public static InvolvementFact RestrictedToItem(Guid personId, Guid bodyId, InvolvementKind kind, Guid itemId, DateTimeOffset asOf) =>
        new RestrictedFact(InvolvementRecord.KeyOf(personId, bodyId, kind, itemId), personId, bodyId, kind, itemId, asOf);

    /// <summary>
    /// A contact person (keyed by member) is current until ended; of the two facts for one member the latest
    /// wins. A handover ends one member and designates another in the same instant: two records, no race.
    /// </summary>
    public static InvolvementFact ContactPerson(Guid personId, Guid bodyId, Guid memberId, bool active, DateTimeOffset asOf) =>
        new ContactPersonFact(InvolvementRecord.KeyOf(personId, bodyId, InvolvementKind.ContactPerson, memberId), personId, bodyId, memberId,
            active, asOf);

    private sealed record InvolvedFact(string Key, Guid PersonId, Guid BodyId, InvolvementKind Kind, Guid? ItemId, DateTimeOffset AsOf)
        : InvolvementFact(Key)
    {
        public override InvolvementRecord? MergeInto(InvolvementRecord? current) =>
            current is not null && (current.ItemOnly || current.AsOf >= AsOf)
                ? null
                : new InvolvementRecord(Key, PersonId, BodyId, Kind, ItemId, ItemOnly: false, Active: true, AsOf);
    }

    private sealed record RestrictedFact(string Key, Guid PersonId, Guid BodyId, InvolvementKind Kind, Guid ItemId, DateTimeOffset AsOf)
        : InvolvementFact(Key)
    {
        public override InvolvementRecord? MergeInto(InvolvementRecord? current) =>
            current is { ItemOnly: true }
                ? null
                : new InvolvementRecord(Key, PersonId, BodyId, Kind, ItemId, ItemOnly: true, Active: true,
                    current is not null && current.AsOf > AsOf ? current.AsOf : AsOf);
    }

    private sealed record ContactPersonFact(string Key, Guid PersonId, Guid BodyId, Guid MemberId, bool Active, DateTimeOffset AsOf)
        : InvolvementFact(Key)
    {
        public override InvolvementRecord? MergeInto(InvolvementRecord? current) =>
            current is not null && (current.AsOf > AsOf || (current.AsOf == AsOf && !current.Active))
                ? null
                : new InvolvementRecord(Key, PersonId, BodyId, InvolvementKind.ContactPerson, MemberId, ItemOnly: false, Active, AsOf);
    }
}

/// <summary>
/// Writes involvement records. A service calls it in the transaction of its own commands (a referral sent,
/// an appointment booked) and the copy consumers call it for other services' contracts.
/// </summary>
public static class Involvements
{
    /// <summary>
    /// Merges the facts into their records with one lookup for all of them (a referral's two bodies, a booking's), in
    /// order: two facts of one record meet in memory and the record is stored once. The caller commits.
    /// </summary>
    public static async Task WriteAsync(IDocumentSession session, IReadOnlyCollection<InvolvementFact> facts, CancellationToken ct)
    {
        if (facts.Count == 0) return;
        Merge(session, facts, await session.LoadManyAsync<InvolvementRecord>(ct, KeysOf(facts)));
    }

    /// <summary>The records the facts concern, for a caller that looks them up with its own lookups (one round trip).</summary>
    public static IEnumerable<string> KeysOf(IEnumerable<InvolvementFact> facts) => facts.Select(f => f.Key).Distinct();

    /// <summary>Merges the facts into the records loaded for <see cref="KeysOf"/> and stores those that changed. The caller commits.</summary>
    public static void Merge(IDocumentSession session, IEnumerable<InvolvementFact> facts, IEnumerable<InvolvementRecord> loaded)
    {
        var records = loaded.ToDictionary(r => r.Id, r => (InvolvementRecord?)r);
        var changed = new Dictionary<string, InvolvementRecord>();
        foreach (var fact in facts)
        {
            if (fact.MergeInto(records.GetValueOrDefault(fact.Key)) is not { } merged) continue;
            records[fact.Key] = merged;
            changed[fact.Key] = merged;
        }
        // Stored once per record: the version Marten checks (optimistic concurrency) is the one loaded.
        foreach (var record in changed.Values) session.Store(record);
    }

    /// <summary><see cref="WriteAsync"/>, then the commit: a copy consumer's whole transaction.</summary>
    public static async Task CommitAsync(IDocumentSession session, IReadOnlyCollection<InvolvementFact> facts, CancellationToken ct)
    {
        await WriteAsync(session, facts, ct);
        await session.SaveChangesAsync(ct);
    }

    public static Task Involve(IDocumentSession session, Guid personId, Guid bodyId, InvolvementKind kind, Guid? itemId,
        DateTimeOffset asOf, CancellationToken ct) =>
        WriteAsync(session, [InvolvementFact.Involved(personId, bodyId, kind, itemId, asOf)], ct);
}
