using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Security;
using Marten;

namespace Referrals.Api.Accompaniments.Hiding;

public sealed record AccompanimentHiddenView(Guid Id, bool Hidden, long Version);

public static class HideAccompanimentEndpoint
{
    public static RouteGroupBuilder MapHideAccompaniment(this RouteGroupBuilder group)
    {
        group.MapPost("/persons/{personId:guid}/accompaniments/{id:guid}/hide", Handle)
            .RequireIfMatch()
            .WithName("hideAccompaniment")
            .WithSummary("Hide an accompaniment entry from partners")
            .WithDescription("The person (a person token for this person; anyone else 403) hides an entry of their accompaniment log: " +
                "from then on only they see it. Hiding it again changes nothing. If-Match: the entry's ETag (its version in the log).")
            .Produces<AccompanimentHiddenView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> Handle(Guid personId, Guid id, Caller caller, IDocumentSession session, TimeProvider time, HttpContext http)
    {
        var ct = http.RequestAborted;
        if (caller.PersonId != personId) return Problems.NotFound();
        var state = await session.Events.FetchStreamStateAsync(id, ct);
        if (state is null || state.AggregateType != typeof(Accompaniment)) return Problems.NotFound();
        var stream = await session.Events.FetchForWriting<Accompaniment>(id, ct);
        if (stream.Aggregate is not { } entry || entry.PersonId != personId) return Problems.NotFound();
        if (stream.CurrentVersion != http.ExpectedVersion()) return Referrals.ReferralActions.Stale();

        var decided = AccompanimentDecider.Hide(entry, time.GetUtcNow());
        var version = stream.CurrentVersion!.Value + decided.Events.Count;
        stream.AppendMany(decided.Events);
        if (decided.Events.Count == 0)
        {
            http.Response.SetETag(version);
            return TypedResults.Ok(new AccompanimentHiddenView(id, true, version));
        }
        return await session.UpdatedAsync(http, version, new AccompanimentHiddenView(id, true, version));
    }
}
