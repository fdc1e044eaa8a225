using System.Text.Json;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Directory.Api.Bodies.GettingDetails;
using Directory.Api.Formats;
using Marten;

namespace Directory.Api.Bodies.Updating;

/// <summary>The members a PATCH may carry (JSON Merge Patch: absent = unchanged, null = removed).</summary>
public sealed record UpdateBodyRequest(
    string? Name,
    string? Kind,
    AddressRequest? Address,
    string[]? TerritoryCodes,
    bool? Sensitive,
    string? Siret,
    string? Phone,
    string? Email,
    string? Website,
    string? OpeningHours,
    string? Description);

public sealed record UpdateBody(Guid BodyId, BodyProfile Profile, string UpdatedBy);

public static class UpdateBodyDecider
{
    /// <summary>Nothing to append when the patch changes nothing, so a repeated PATCH leaves the version as it is.</summary>
    public static Decision Decide(Body state, UpdateBody command) =>
        Same(state.Profile, command.Profile) ? Decision.Accept() : Decision.Accept(new BodyUpdated(command.BodyId, command.Profile, command.UpdatedBy));

    public static bool Same(BodyProfile a, BodyProfile b) =>
        a with { TerritoryCodes = [] } == b with { TerritoryCodes = [] } && a.TerritoryCodes.SequenceEqual(b.TerritoryCodes);
}

public static class UpdateBodyEndpoint
{
    public static RouteGroupBuilder MapUpdateBody(this RouteGroupBuilder group)
    {
        group.MapPatch("/bodies/{id:guid}", Handle)
            .RequireIfMatch()
            .Accepts<UpdateBodyRequest>(MergePatch.MediaType, "application/json")
            .WithName("updateBody")
            .WithSummary("Change a body")
            .WithDescription("JSON Merge Patch of the body's profile, checked by the same rules as registering. The body's " +
                "coordinators and administrators. If-Match: the body's ETag.")
            .Produces<BodyView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return group;
    }

    private static async Task<IResult> Handle(Guid id, JsonElement patch, Caller caller, IDocumentSession session, HttpContext http)
    {
        if (!caller.CanManage(id)) return Access.CannotManage();
        var stream = await session.FetchExisting<Body>(id, http.ExpectedVersion(), http.RequestAborted);
        if (stream?.Aggregate is not { } body) return Problems.NotFound();

        if (!MergePatch.TryApply(BodyRules.ToRequest(body.Profile), patch, http, out var merged, out var problem)) return problem!;
        var errors = BodyRules.Validate(merged);
        if (errors.Count > 0) return Problems.Invalid(errors);

        var decision = UpdateBodyDecider.Decide(body, new UpdateBody(id, BodyRules.ToProfile(merged), caller.Subject));
        stream.AppendMany(decision.Events);
        await session.SaveAsync(http, stream.CurrentVersion ?? 0);
        var details = await session.LoadAsync<BodyDetails>(id, http.RequestAborted);
        return TypedResults.Ok(BodyView.Of(details!, caller));
    }
}
