using Consents.Api.Access;
using Consents.Api.Companions.Listing;
using Coordination.ServiceDefaults.Http;
using Marten;

namespace Consents.Api.Companions.Removing;

public sealed record RemoveCompanion(Guid CompanionId, Actor RemovedBy, DateTimeOffset Now);

public static class RemoveCompanionDecider
{
    /// <summary>A companion is removed once; one whose end date passed may still be removed from the list of current ones.</summary>
    public static Decided<CompanionRemoved> Decide(Companion companion, RemoveCompanion command)
    {
        if (companion.RemovedAt is { } removedAt)
        {
            return new Refusal("companion-already-removed", "This companion is already removed", "Nothing left to remove.",
                new Dictionary<string, object?> { ["status"] = Codes.Of(CompanionStatus.Removed), ["removedAt"] = removedAt });
        }
        return new CompanionRemoved(companion.Id, companion.PersonId, command.RemovedBy, command.Now);
    }
}

public static class RemoveCompanionEndpoint
{
    public static RouteGroupBuilder MapRemoveCompanion(this RouteGroupBuilder group)
    {
        group.MapDelete("/persons/{id:guid}/companions/{companionId:guid}", Remove)
            .RequireIfMatch()
            .WithName("removeCompanion")
            .WithSummary("Remove a companion at the person's request")
            .WithDescription("A professional of an involved body, at the person's request. The companion loses access at once here and in " +
                "the other services as soon as they receive it; the record of the companion stays. Requires If-Match with the companion's ETag.")
            .Produces<CompanionView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    public static RouteGroupBuilder MapRemoveMyCompanion(this RouteGroupBuilder group)
    {
        group.MapDelete("/me/companions/{companionId:guid}", RemoveMine)
            .RequireIfMatch()
            .WithName("removeMyCompanion")
            .WithSummary("Remove one of my companions")
            .WithDescription("The companion loses access at once. Requires If-Match with the companion's ETag.")
            .Produces<CompanionView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static Task<IResult> RemoveMine(Guid companionId, PersonAccess access, IDocumentSession session, HttpContext http) =>
        Remove(access.Caller.PersonId!.Value, companionId, access, session, http);

    private static async Task<IResult> Remove(Guid id, Guid companionId, PersonAccess access, IDocumentSession session, HttpContext http)
    {
        var check = await access.ActAsync(id, http.RequestAborted);
        if (check.Problem is { } problem) return problem;

        var details = await session.LoadAsync<CompanionDetails>(companionId, http.RequestAborted);
        if (details is null || details.PersonId != id) return Problems.NotFound();
        var stream = await session.Events.FetchForWriting<Companion>(companionId, http.ExpectedVersion(), http.RequestAborted);
        var decided = RemoveCompanionDecider.Decide(stream.Aggregate!, new RemoveCompanion(companionId, Actor.Of(access.Caller), access.Now));
        if (decided.Refusal is { } refusal) return refusal.ToProblem();

        stream.AppendOne(decided.Event!);
        var removed = CompanionDetailsProjection.Apply(decided.Event!, details) with { Version = http.ExpectedVersion() + 1 };
        var view = (await CompanionView.LoadAsync(session, [removed], access.Now, http.RequestAborted))[0];
        return await session.UpdatedAsync(http, http.ExpectedVersion() + 1, view);
    }
}
