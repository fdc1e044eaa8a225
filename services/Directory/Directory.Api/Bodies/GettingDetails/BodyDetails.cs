using Coordination.ServiceDefaults.Http;
using Marten;
using Marten.Events.Aggregation;

namespace Directory.Api.Bodies.GettingDetails;

public sealed record BodyDetails(Guid Id, string Name, string Kind, Address Address, string[] TerritoryCodes,
    bool Sensitive, DateTimeOffset RegisteredAt, DateTimeOffset UpdatedAt)
{
    public long Version { get; init; }
}

public sealed class BodyDetailsProjection : SingleStreamProjection<BodyDetails, Guid>
{
    public static BodyDetails Create(JasperFx.Events.IEvent<BodyRegistered> e) =>
        new(e.Data.BodyId, e.Data.Name, e.Data.Kind, e.Data.Address, e.Data.TerritoryCodes, e.Data.Sensitive, e.Timestamp, e.Timestamp);
}

public static class GetBodyEndpoint
{
    public static RouteGroupBuilder MapGetBody(this RouteGroupBuilder group)
    {
        group.MapGet("/bodies/{id:guid}", Handle)
            .WithName("getBody")
            .WithSummary("Read a body")
            .WithDescription("Any professional or partner system with the directory scope. The ETag is the body's version.")
            .Produces<BodyDetails>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> Handle(Guid id, IQuerySession session, HttpContext http)
    {
        var body = await session.LoadAsync<BodyDetails>(id, http.RequestAborted);
        if (body is null) return Problems.NotFound();
        http.Response.SetETag(body.Version);
        return TypedResults.Ok(body);
    }
}
