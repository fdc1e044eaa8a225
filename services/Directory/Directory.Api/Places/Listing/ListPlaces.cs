using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Directory.Api.Bodies;
using Directory.Api.Bodies.GettingDetails;
using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;
using Marten.Linq;

namespace Directory.Api.Places.Listing;

public sealed record PlaceDetails(Guid Id, Guid BodyId, string Name, Address Address, PermanenceSchedule? Permanence, DateTimeOffset AddedAt);

public sealed class PlaceDetailsProjection : SingleStreamProjection<PlaceDetails, Guid>
{
    public static PlaceDetails Create(IEvent<PlaceAdded> e) =>
        new(e.Data.PlaceId, e.Data.BodyId, e.Data.Name, e.Data.Address, e.Data.Permanence, e.Timestamp);
}

public sealed record PlaceView(Guid Id, Guid BodyId, string Name, Address Address, PermanenceSchedule? Permanence, DateTimeOffset AddedAt,
    bool AddressWithheld);

public static class ListPlacesEndpoint
{
    public static RouteGroupBuilder MapListPlaces(this RouteGroupBuilder group)
    {
        group.MapGet("/bodies/{id:guid}/places", Handle)
            .WithName("listPlaces")
            .WithSummary("List the places and permanences of a body")
            .WithDescription("The street address of a sensitive body's places is shown to its own members only (addressWithheld); " +
                "persons booked there get it from Appointments. Paged by name (page from 1, pageSize at most 100).")
            .Produces<PageOf<PlaceView>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/bodies/{id:guid}/places/{placeId:guid}", GetOne)
            .WithName("getPlace")
            .WithSummary("Read a place or permanence of a body")
            .WithDescription("The street address of a sensitive body's place is shown to its own members only (addressWithheld).")
            .Produces<PlaceView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> GetOne(Guid id, Guid placeId, IQuerySession session, Caller caller, HttpContext http)
    {
        var place = await session.LoadAsync<PlaceDetails>(placeId, http.RequestAborted);
        var body = await session.LoadAsync<BodyDetails>(id, http.RequestAborted);
        if (place is null || body is null || place.BodyId != id) return Problems.NotFound();
        return TypedResults.Ok(View(place, body.Profile.Sensitive && !caller.IsMemberOf(id)));
    }

    private static PlaceView View(PlaceDetails p, bool withheld) =>
        new(p.Id, p.BodyId, p.Name, withheld ? BodyView.Withhold(p.Address) : p.Address, p.Permanence, p.AddedAt, withheld);

    private static async Task<IResult> Handle(Guid id, int? page, int? pageSize, IQuerySession session, Caller caller, HttpContext http)
    {
        if (!Paging.TryCreate(page, pageSize, out var paging, out var problem)) return problem!;
        var body = await session.LoadAsync<BodyDetails>(id, http.RequestAborted);
        if (body is null) return Problems.NotFound();

        var places = await session.Query<PlaceDetails>().Where(p => p.BodyId == id)
            .Stats(out var stats).OrderBy(p => p.Name).ThenBy(p => p.Id)
            .Skip(paging.Skip).Take(paging.PageSize).ToListAsync(http.RequestAborted);
        var withheld = body.Profile.Sensitive && !caller.IsMemberOf(id);
        var views = places.Select(p => View(p, withheld)).ToList();
        return TypedResults.Ok(new PageOf<PlaceView>(views, paging.Page, paging.PageSize, stats.TotalResults));
    }
}
