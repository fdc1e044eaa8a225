using Coordination.ServiceDefaults.Http;
using Directory.Api.Bodies;
using Directory.Api.DataInclusion;
using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;

namespace Directory.Api.ServiceOffers.GettingDetails;

/// <summary>
/// A service as read, and as searched: <see cref="ThematiqueKeys"/> holds its thematiques and their
/// categories, <see cref="Zone"/> its eligibility codes (national spelled <c>france</c>), both matched by
/// JSON containment under a GIN index.
/// </summary>
public sealed record ServiceDetails(Guid Id, Guid BodyId, ServiceFields Fields, Capacity Capacity, SourceRecord? Origin,
    DateTimeOffset ListedAt, DateTimeOffset UpdatedAt)
{
    public long Version { get; init; }

    public string[] ThematiqueKeys { get; init; } = [];

    public string[] Zone { get; init; } = [];

    public bool HasZone { get; init; }

    public static ServiceDetails Indexed(ServiceDetails s) => s with
    {
        ThematiqueKeys = KeysOf(s.Fields.Thematiques),
        Zone = s.Fields.ZoneEligibilite.Select(c => c == "99100" ? "france" : c).Distinct().ToArray(),
        HasZone = s.Fields.ZoneEligibilite.Length > 0,
    };

    public static string[] KeysOf(IEnumerable<string> thematiques) =>
        thematiques.SelectMany(t => new[] { t, DataInclusionSchemas.CategoryOf(t) }).Distinct(StringComparer.Ordinal).ToArray();
}

public sealed class ServiceDetailsProjection : SingleStreamProjection<ServiceDetails, Guid>
{
    public static ServiceDetails Create(IEvent<ServiceListed> e) =>
        ServiceDetails.Indexed(new(e.Data.ServiceId, e.Data.BodyId, e.Data.Fields, e.Data.Capacity, e.Data.Origin, e.Timestamp, e.Timestamp));

    public static ServiceDetails Apply(IEvent<ServiceUpdated> e, ServiceDetails s) =>
        ServiceDetails.Indexed(s with { Fields = e.Data.Fields, UpdatedAt = e.Timestamp });

    public static ServiceDetails Apply(IEvent<ServiceCapacityChanged> e, ServiceDetails s) =>
        s with { Capacity = e.Data.Capacity, UpdatedAt = e.Timestamp };
}

/// <summary>What callers see of a service (its data·inclusion contact fields are public, as data·inclusion publishes them).</summary>
public sealed record ServiceView(Guid Id, Guid BodyId, string Name, string Description, string? Type, string[] Thematiques,
    string[] Publics, string[] ModesAccueil, string[] ZoneEligibilite, string[] ModesMobilisation, string[] MobilisablePar,
    string? Frais, string? ConditionsAcces, string? ContactName, string? Email, string? Phone, Capacity Capacity,
    SourceRecord? Origin, DateTimeOffset ListedAt, DateTimeOffset UpdatedAt, long Version)
{
    public static ServiceView Of(ServiceDetails s)
    {
        var f = s.Fields;
        return new(s.Id, s.BodyId, f.Name, f.Description, f.Type, f.Thematiques, f.Publics, f.ModesAccueil, f.ZoneEligibilite,
            f.ModesMobilisation, f.MobilisablePar, f.Frais, f.ConditionsAcces, f.ContactName, f.Email, f.Phone, s.Capacity,
            s.Origin, s.ListedAt, s.UpdatedAt, s.Version);
    }
}

public static class GetServiceEndpoints
{
    public static RouteGroupBuilder MapGetServices(this RouteGroupBuilder group)
    {
        group.MapGet("/bodies/{id:guid}/services/{serviceId:guid}", GetOne)
            .WithName("getService")
            .WithSummary("Read a service of a body")
            .WithDescription("The ETag is the service's version, for PATCH and capacity changes.")
            .Produces<ServiceView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/bodies/{id:guid}/services", List)
            .WithName("listBodyServices")
            .WithSummary("List the services of a body")
            .WithDescription("Paged by name (page from 1, pageSize at most 100). Each item carries its version (its ETag).")
            .Produces<PageOf<ServiceView>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> GetOne(Guid id, Guid serviceId, IQuerySession session, HttpContext http)
    {
        var service = await session.LoadAsync<ServiceDetails>(serviceId, http.RequestAborted);
        if (service is null || service.BodyId != id) return Problems.NotFound();
        http.Response.SetETag(service.Version);
        return TypedResults.Ok(ServiceView.Of(service));
    }

    private static async Task<IResult> List(Guid id, int? page, int? pageSize, IQuerySession session, HttpContext http)
    {
        if (!Paging.TryCreate(page, pageSize, out var paging, out var problem)) return problem!;
        if (!await session.Exists<Body>(id, http.RequestAborted)) return Problems.NotFound();
        var items = await session.Query<ServiceDetails>().Where(s => s.BodyId == id)
            .Stats(out var stats).OrderBy(s => s.Fields.Name).ThenBy(s => s.Id)
            .Skip(paging.Skip).Take(paging.PageSize).ToListAsync(http.RequestAborted);
        return TypedResults.Ok(new PageOf<ServiceView>(items.Select(ServiceView.Of).ToList(), paging.Page, paging.PageSize, stats.TotalResults));
    }
}
