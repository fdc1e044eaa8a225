using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Directory.Api.Bodies;
using Directory.Api.Formats;
using Marten;

namespace Directory.Api.ServiceOffers.Listing;

public sealed record ListService(Guid ServiceId, Guid BodyId, ServiceFields Fields, Capacity Capacity, string ListedBy, SourceRecord? Origin = null);

public sealed record ServiceCreated(Guid Id);

public static class ListServiceDecider
{
    public static ServiceListed Decide(ListService c) => new(c.ServiceId, c.BodyId, c.Fields, c.Capacity, c.ListedBy, c.Origin);

    public static Capacity CapacityOf(CapacityRequest? request, DateOnly today) =>
        new(request?.Status ?? CapacityStatus.Available, string.IsNullOrWhiteSpace(request?.Note) ? null : request.Note.Trim(), request?.AsOf ?? today);
}

public static class ListServiceEndpoint
{
    public static RouteGroupBuilder MapListService(this RouteGroupBuilder group)
    {
        group.MapPost("/bodies/{id:guid}/services", Handle)
            .AcceptsIdempotencyKey()
            .WithName("listService")
            .WithSummary("Add a service to a body")
            .WithDescription("data·inclusion v1 service fields (vocabularies checked against the official schema) and an optional " +
                "capacity status (available by default). The body's coordinators and administrators. Accepts an Idempotency-Key header.")
            .Produces<ServiceCreated>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return group;
    }

    private static async Task<IResult> Handle(Guid id, ListServiceRequest request, Caller caller, IDocumentSession session,
        TimeProvider time, HttpContext http)
    {
        if (!caller.CanManage(id)) return Access.CannotManage();
        var errors = ServiceRules.Validate(request);
        if (errors.Count > 0) return Problems.Invalid(errors);
        if (!await session.Exists<Body>(id, http.RequestAborted)) return Problems.NotFound();

        var command = new ListService(Guid.CreateVersion7(), id, ServiceRules.ToFields(request),
            ListServiceDecider.CapacityOf(request.Capacity, time.Today()), caller.Subject);
        session.Events.StartStream<ServiceOffer>(command.ServiceId, ListServiceDecider.Decide(command));
        return await session.CreatedAsync(http, $"/bodies/{id}/services/{command.ServiceId}", new ServiceCreated(command.ServiceId), version: 1);
    }
}
