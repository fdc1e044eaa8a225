using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using Coordination.Secrecy.Gate.Privacy;
using Marten;
using Marten.Services.BatchQuerying;

namespace Referrals.Api.Access;

/// <summary>
/// The secrecy facts of several persons in one round trip (a page of referrals), or queued on a batch the
/// caller extends with its own documents (a referral, a contact person's history, the accompaniment log): the same copies
/// as <see cref="PersonFactsLoader"/>, so the decision is the same. The follow-up reads the same copies with the
/// statements of <see cref="FollowUp.GettingFollowUp.FollowUpStatements"/> and derives the facts with <see cref="Pending"/>.
/// </summary>
public static class FactsLoader
{
    public sealed class Pending(Task<IReadOnlyList<GrantCopy>> grants, Task<IReadOnlyList<CompanionCopy>> companions,
        Task<IReadOnlyList<InvolvementRecord>> involvements, Task<IReadOnlyList<Guid>> sensitive, Task<IReadOnlyList<Guid>> erased)
    {
        /// <summary>An erased person has nothing left to rely on, as in <see cref="PersonFactsLoader"/>.</summary>
        public async Task<PersonFacts> For(Guid personId) => (await erased).Contains(personId) ? PersonFacts.None(personId) : new(personId,
            (await grants).Where(g => g.PersonId == personId).Select(g => g.ToGrant()).ToList(),
            (await companions).Where(c => c.PersonId == personId).Select(c => c.ToCompanionGrant()).ToList(),
            (await involvements).Where(i => i.PersonId == personId).Select(i => i.ToInvolvement()).ToList(),
            (await sensitive).ToHashSet());

        public Task<IReadOnlyList<CompanionCopy>> Companions => companions;
    }

    // The conditions are written as the SQL Marten's LINQ provider generates for them (so the computed index on
    // personId still serves them) rather than as LINQ: a LINQ query in a batch is parsed again on every
    // read, about an eighth of Referrals' CPU per follow-up read (ADR 0082). Their results are checked against the LINQ
    // forms in FactsQueriesTests.
    public const string KnownGrantsOf = "where ((d.data ->> 'known' is not null and CAST(d.data ->> 'known' as boolean) = True) " +
        "and CAST(d.data ->> 'personId' as uuid) = ANY(?))";
    public const string InvolvementsOf = "where CAST(d.data ->> 'personId' as uuid) = ANY(?)";
    public const string GeneralInvolvementOf = "where (CAST(d.data ->> 'personId' as uuid) = ANY(?) and CAST(d.data ->> 'bodyId' as uuid) = ? " +
        "and CAST(d.data ->> 'active' as boolean) = True and CAST(d.data ->> 'itemOnly' as boolean) = False) limit 1";
    public const string ErasedAmong = "where d.id = ANY(?)";

    public static Pending Queue(IBatchedQuery batch, Guid[] personIds) =>
        Queue(batch, personIds, batch.Query<InvolvementRecord>(InvolvementsOf, personIds));

    /// <summary>
    /// The facts a command needs to know whether <paramref name="bodyId"/> is involved with one person (DESIGN §4: an
    /// active involvement not restricted to an item), without the rest of the person's involvement: at most the one
    /// record that answers it. A person's records grow with their history (two per referral, one per appointment or
    /// designation), and a command that asks about one body reads one record, not the history; a read that decides
    /// item by item (the follow-up, a referral's page) takes <see cref="Queue(IBatchedQuery, Guid[])"/>.
    /// </summary>
    public static Pending QueueInvolvementOf(IBatchedQuery batch, Guid personId, Guid bodyId) =>
        Queue(batch, [personId], batch.Query<InvolvementRecord>(GeneralInvolvementOf, new[] { personId }, bodyId));

    private static Pending Queue(IBatchedQuery batch, Guid[] personIds, Task<IReadOnlyList<InvolvementRecord>> involvements)
    {
        var grants = batch.Query<GrantCopy>(KnownGrantsOf, personIds);
        var companions = batch.Query<CompanionCopy>(KnownGrantsOf, personIds);
        // LINQ here: only the ids are wanted, and Marten's SQL batch queries return documents (of reference types). Every
        // read needs the sensitive bodies; their documents would be read and deserialised for nothing.
        var sensitive = batch.Query<BodyCopy>().Where(b => b.Sensitive).Select(b => b.Id).ToList();
        var erased = Ids(batch.Query<ErasedPerson>(ErasedAmong, personIds), e => e.Id);
        return new Pending(grants, companions, involvements, sensitive, erased);
    }

    private static async Task<IReadOnlyList<Guid>> Ids<T>(Task<IReadOnlyList<T>> documents, Func<T, Guid> id) =>
        (await documents).Select(id).ToList();

    public static async Task<IReadOnlyDictionary<Guid, PersonFacts>> LoadManyAsync(IQuerySession session, IEnumerable<Guid> personIds, CancellationToken ct)
    {
        var ids = personIds.Distinct().ToArray();
        if (ids.Length == 0) return new Dictionary<Guid, PersonFacts>();
        var batch = session.CreateBatchQuery();
        var pending = Queue(batch, ids);
        await batch.Execute(ct);
        var facts = new Dictionary<Guid, PersonFacts>();
        foreach (var id in ids) facts[id] = await pending.For(id);
        return facts;
    }
}
