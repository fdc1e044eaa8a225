using Coordination.Secrecy.Gate.Copies;
using Marten;

namespace Referrals.Api.Copies;

public static class BodyNames
{
    /// <summary>The names of the given bodies as the local copy knows them (a body not yet copied has no name).</summary>
    public static async Task<IReadOnlyDictionary<Guid, string>> LoadAsync(IQuerySession session, IEnumerable<Guid> ids, CancellationToken ct)
    {
        var distinct = ids.Distinct().ToArray();
        if (distinct.Length == 0) return new Dictionary<Guid, string>();
        var bodies = await session.LoadManyAsync<BodyCopy>(ct, distinct);
        return bodies.ToDictionary(b => b.Id, b => b.Name);
    }
}
