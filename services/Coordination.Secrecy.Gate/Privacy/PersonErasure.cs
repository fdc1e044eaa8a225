using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Persistence;
using JasperFx.Events;
using Marten;

namespace Coordination.Secrecy.Gate.Privacy;

/// <summary>
/// The steps every service takes to erase a person from its own store, in this order: mark the person erased (late
/// copies then arrive masked), mask the events of every stream that names the person with Marten's event-data masking
/// (the rules are registered per event type by each service), rebuild or rewrite the documents, then mark the erasure
/// complete. Each step gives the same result when run again, so a redelivered PersonErased changes nothing.
/// </summary>
public static class PersonErasure
{
    /// <summary>Marks the person erased, once; returns the mark (an existing one is kept as it is).</summary>
    public static async Task<ErasedPerson> BeginAsync(IDocumentSession session, Guid personId, DateTimeOffset at, CancellationToken ct)
    {
        if (await session.LoadAsync<ErasedPerson>(personId, ct) is { } existing) return existing;
        var mark = new ErasedPerson(personId, at, null);
        session.Store(mark);
        await session.SaveChangesAsync(ct);
        return mark;
    }

    public static async Task CompleteAsync(IDocumentSession session, ErasedPerson mark, DateTimeOffset at, CancellationToken ct)
    {
        if (mark.CompletedAt is not null) return;
        session.Store(mark with { CompletedAt = at });
        await session.SaveChangesAsync(ct);
    }

    public static Task<bool> IsErasedAsync(IQuerySession session, Guid personId, CancellationToken ct) =>
        session.Query<ErasedPerson>().AnyAsync(e => e.Id == personId, ct);

    /// <summary>
    /// Every stream of this service with an event that names the person (every event that concerns a person carries its
    /// <c>personId</c>), with its state. One scan of the event table: erasures are rare, and a stream that names the person
    /// anywhere (an access-log entry, a slot's seat) is found whatever its type.
    /// </summary>
    public static async Task<IReadOnlyList<StreamState>> StreamsOfAsync(IQuerySession session, Guid personId, CancellationToken ct)
    {
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        var ids = await session.AdvancedSql.QueryAsync<Guid>(
            $"select distinct stream_id from {schema}.mt_events where data ->> 'personId' = ?", ct, personId.ToString());
        var states = new List<StreamState>(ids.Count);
        foreach (var id in ids)
        {
            if (await session.Events.FetchStreamStateAsync(id, ct) is { } state) states.Add(state);
        }
        return states;
    }

    /// <summary>
    /// Masks, in place, the events of the given streams with the masking rules of their types; events of a type without a
    /// rule (a seat taken, an expiry) are left as they are.
    /// </summary>
    public static async Task MaskEventsAsync(IDocumentStore store, IReadOnlyCollection<StreamState> streams, CancellationToken ct)
    {
        if (streams.Count == 0) return;
        await store.Advanced.ApplyEventDataMasking(masking =>
        {
            foreach (var stream in streams) masking.IncludeStream(stream.Id);
        }, ct);
    }

    /// <summary>The gate's copy of the person's companions (names and contact stay in Consents; the copy has the name).</summary>
    public static async Task MaskCopiesAsync(IDocumentSession session, Guid personId, CancellationToken ct)
    {
        var companions = await session.Query<CompanionCopy>().Where(c => c.PersonId == personId).ToListAsync(ct);
        foreach (var companion in companions.Where(c => c.DisplayName != Erased.Text))
        {
            session.Store(companion with { DisplayName = Erased.Text });
        }
        await session.SaveChangesAsync(ct);
    }

    /// <summary>
    /// The first answers kept for an Idempotency-Key replay that mention the person (registration, consent and companion
    /// views carry the person's id): their personal fields are masked, the record stays so a retry is still answered.
    /// </summary>
    public static async Task MaskStoredAnswersAsync(IDocumentSession session, Guid personId, CancellationToken ct)
    {
        var id = personId.ToString();
        var records = await session.Query<IdempotencyRecord>().Where(r => r.BodyJson.Contains(id)).ToListAsync(ct);
        var changed = 0;
        foreach (var record in records)
        {
            var masked = JsonMasking.Mask(record.BodyJson, JsonMasking.PersonalFields);
            if (masked == record.BodyJson) continue;
            session.Store(record with { BodyJson = masked });
            changed++;
        }
        if (changed > 0) await session.SaveChangesAsync(ct);
    }
}
