using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Privacy;
using Marten;

namespace Coordination.Secrecy.Gate.Copies;

/// <summary>Reads everything §4 needs about one person from the local copies, in one database round trip.</summary>
public static class PersonFactsLoader
{
    public static async Task<PersonFacts> LoadAsync(IQuerySession session, Guid personId, CancellationToken ct)
    {
        var batch = session.CreateBatchQuery();
        var grants = batch.Query<GrantCopy>().Where(g => g.PersonId == personId && g.Known).ToList();
        var companions = batch.Query<CompanionCopy>().Where(c => c.PersonId == personId && c.Known).ToList();
        var involvements = batch.Query<InvolvementRecord>().Where(i => i.PersonId == personId).ToList();
        // Few bodies are sensitive (shelters, addiction clinics…): reading them all is cheaper than a second trip.
        var sensitive = batch.Query<BodyCopy>().Where(b => b.Sensitive).Select(b => b.Id).ToList();
        var erased = batch.Load<ErasedPerson>(personId);
        await batch.Execute(ct);

        // An erased person has no grant, companion or involvement left to rely on: only they themself (self) would pass.
        if (await erased is not null) return PersonFacts.None(personId);
        return new PersonFacts(personId,
            (await grants).Select(g => g.ToGrant()).ToList(),
            (await companions).Select(c => c.ToCompanionGrant()).ToList(),
            (await involvements).Select(i => i.ToInvolvement()).ToList(),
            (await sensitive).ToHashSet());
    }
}
