using System.Text.Json;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Directory.Api.Formats;
using Directory.Api.ServiceOffers.GettingDetails;
using Marten;

namespace Directory.Api.ServiceOffers.Updating;

/// <summary>The members a PATCH may carry (JSON Merge Patch: absent = unchanged, null = removed).</summary>
public sealed record UpdateServiceRequest(
    string? Name,
    string? Description,
    string? Type,
    string[]? Thematiques,
    string[]? Publics,
    string[]? ModesAccueil,
    string[]? ZoneEligibilite,
    string[]? ModesMobilisation,
    string[]? MobilisablePar,
    string? Frais,
    string? ConditionsAcces,
    string? ContactName,
    string? Email,
    string? Phone);

public sealed record UpdateService(Guid ServiceId, Guid BodyId, ServiceFields Fields, string UpdatedBy);

public static class UpdateServiceDecider
{
    public static Decision Decide(ServiceOffer state, UpdateService command) =>
        ServiceRules.Same(state.Fields, command.Fields)
            ? Decision.Accept()
            : Decision.Accept(new ServiceUpdated(command.ServiceId, command.BodyId, command.Fields, state.Capacity.Status, command.UpdatedBy));
}

public static class UpdateServiceEndpoint
{
    public static RouteGroupBuilder MapUpdateService(this RouteGroupBuilder group)
    {
        group.MapPatch("/bodies/{id:guid}/services/{serviceId:guid}", Handle)
            .RequireIfMatch()
            .Accepts<UpdateServiceRequest>(MergePatch.MediaType, "application/json")
            .WithName("updateService")
            .WithSummary("Change a service")
            .WithDescription("JSON Merge Patch of the service's data·inclusion fields (capacity has its own route). The body's " +
                "coordinators and administrators. If-Match: the service's ETag.")
            .Produces<ServiceView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return group;
    }

    private static async Task<IResult> Handle(Guid id, Guid serviceId, JsonElement patch, Caller caller, IDocumentSession session, HttpContext http)
    {
        if (!caller.CanManage(id)) return Access.CannotManage();
        var stream = await session.FetchExisting<ServiceOffer>(serviceId, http.ExpectedVersion(), http.RequestAborted);
        if (stream?.Aggregate is not { } service || service.BodyId != id) return Problems.NotFound();

        if (!MergePatch.TryApply(ServiceRules.ToRequest(service.Fields), patch, http, out var merged, out var problem)) return problem!;
        var errors = ServiceRules.Validate(merged);
        if (errors.Count > 0) return Problems.Invalid(errors);

        var decision = UpdateServiceDecider.Decide(service, new UpdateService(serviceId, id, ServiceRules.ToFields(merged), caller.Subject));
        stream.AppendMany(decision.Events);
        await session.SaveAsync(http, stream.CurrentVersion ?? 0);
        var details = await session.LoadAsync<ServiceDetails>(serviceId, http.RequestAborted);
        return TypedResults.Ok(ServiceView.Of(details!));
    }
}
