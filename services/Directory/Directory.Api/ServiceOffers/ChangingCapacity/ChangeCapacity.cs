using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Directory.Api.Formats;
using Directory.Api.ServiceOffers.GettingDetails;
using Directory.Api.ServiceOffers.Listing;
using Marten;

namespace Directory.Api.ServiceOffers.ChangingCapacity;

public sealed record ChangeCapacity(Guid ServiceId, Guid BodyId, Capacity Capacity, string ChangedBy);

public static class ChangeCapacityDecider
{
    public static Decision Decide(ServiceOffer state, ChangeCapacity command) =>
        state.Capacity == command.Capacity
            ? Decision.Accept()
            : Decision.Accept(new ServiceCapacityChanged(command.ServiceId, command.BodyId, command.Capacity, command.ChangedBy));
}

public static class ChangeCapacityEndpoint
{
    public static RouteGroupBuilder MapChangeCapacity(this RouteGroupBuilder group)
    {
        group.MapPut("/bodies/{id:guid}/services/{serviceId:guid}/capacity", Handle)
            .RequireIfMatch()
            .WithName("changeServiceCapacity")
            .WithSummary("Set a service's capacity status")
            .WithDescription("available, waitlist or full, with an optional note and the date it holds from (today by default). " +
                "The body's coordinators and administrators. If-Match: the service's ETag.")
            .Produces<ServiceView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return group;
    }

    private static async Task<IResult> Handle(Guid id, Guid serviceId, CapacityRequest request, Caller caller, IDocumentSession session,
        TimeProvider time, HttpContext http)
    {
        if (!caller.CanManage(id)) return Access.CannotManage();
        var errors = CapacityRequest.Validate(request);
        if (errors.Count > 0) return Problems.Invalid(errors);
        var stream = await session.FetchExisting<ServiceOffer>(serviceId, http.ExpectedVersion(), http.RequestAborted);
        if (stream?.Aggregate is not { } service || service.BodyId != id) return Problems.NotFound();

        var capacity = ListServiceDecider.CapacityOf(request, time.Today());
        stream.AppendMany(ChangeCapacityDecider.Decide(service, new ChangeCapacity(serviceId, id, capacity, caller.Subject)).Events);
        await session.SaveAsync(http, stream.CurrentVersion ?? 0);
        var details = await session.LoadAsync<ServiceDetails>(serviceId, http.RequestAborted);
        return TypedResults.Ok(ServiceView.Of(details!));
    }
}
