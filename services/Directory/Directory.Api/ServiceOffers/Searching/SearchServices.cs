using System.Text.Json;
using Coordination.ServiceDefaults.Http;
using Directory.Api.Bodies;
using Directory.Api.Bodies.Searching;
using Directory.Api.DataInclusion;
using Directory.Api.ServiceOffers.GettingDetails;
using Marten;
using Marten.Linq;
using Marten.Linq.MatchesSql;

namespace Directory.Api.ServiceOffers.Searching;

public sealed record ServiceSearchFilter(string? Commune, string? Thematique, string? Publics);

public sealed record ServiceSummary(Guid Id, Guid BodyId, string BodyName, string Name, string? Type, string[] Thematiques,
    string[] Publics, string[] ZoneEligibilite, CapacityStatus CapacityStatus, long Version);

public static class ServiceSearch
{
    private static readonly string National = Json(new { zone = new[] { "france" } });

    public static Dictionary<string, string[]> Validate(ServiceSearchFilter f)
    {
        var errors = new Dictionary<string, string[]>();
        if (f.Commune is { } c && !Territory.IsCommune(c)) errors["commune"] = ["An INSEE commune code: five digits, or 2A/2B and three digits."];
        if (f.Thematique is { } t && !DataInclusionSchemas.Thematiques.Contains(t) && !DataInclusionSchemas.ThematiqueCategories.Contains(t))
            errors["thematique"] = ["A data·inclusion thematique or thematique category."];
        if (f.Publics is { } p && !DataInclusionSchemas.Publics.Contains(p)) errors["publics"] = ["A data·inclusion public."];
        return errors;
    }

    /// <summary>
    /// A service is in a commune when its eligibility zone lists the commune, its département or France, or —
    /// when it has no zone — when its body's territory lists the commune or its département. A public matches
    /// services for that public and services for everyone (<c>tous-publics</c>).
    /// </summary>
    public static IQueryable<ServiceDetails> Apply(IQueryable<ServiceDetails> query, ServiceSearchFilter f, string schema)
    {
        if (f.Thematique is { } t)
        {
            query = query.Where(x => x.MatchesSql("d.data @> ?::jsonb", Json(new { thematiqueKeys = new[] { t } })));
        }
        if (f.Publics is { } p)
        {
            query = query.Where(x => x.MatchesSql("(d.data @> ?::jsonb or d.data @> ?::jsonb)",
                Json(new { fields = new { publics = new[] { p } } }), Json(new { fields = new { publics = new[] { ServiceRules.AllPublics } } })));
        }
        if (f.Commune is { } commune)
        {
            var departement = Territory.DepartementOf(commune);
            query = query.Where(x => x.MatchesSql(
                "(d.data @> ?::jsonb or d.data @> ?::jsonb or d.data @> ?::jsonb or (d.data @> '{\"hasZone\":false}'::jsonb and exists " +
                $"(select 1 from {schema}.mt_doc_{BodySearch.Alias} b where b.id = d.body_id and (b.data @> ?::jsonb or b.data @> ?::jsonb))))",
                Json(new { zone = new[] { commune } }), Json(new { zone = new[] { departement } }), National,
                Json(new { territoryCodes = new[] { commune } }), Json(new { territoryCodes = new[] { departement } })));
        }
        return query.OrderBy(x => x.Fields.Name).ThenBy(x => x.Id);
    }

    private static string Json(object value) => JsonSerializer.Serialize(value);
}

public static class SearchServicesEndpoint
{
    public static RouteGroupBuilder MapSearchServices(this RouteGroupBuilder group)
    {
        group.MapGet("/services", Handle)
            .WithName("searchServices")
            .WithSummary("Find services")
            .WithDescription("commune: services whose eligibility zone lists that INSEE commune, its département or France, or " +
                "without a zone, whose body serves it; thematique: a data·inclusion thematique or category; publics: a data·inclusion " +
                "public (services for everyone match too). Paged by name (page from 1, pageSize at most 100).")
            .Produces<PageOf<ServiceSummary>>()
            .ProducesValidationProblem();
        return group;
    }

    private static async Task<IResult> Handle(string? commune, string? thematique, string? publics, int? page, int? pageSize,
        IQuerySession session, HttpContext http)
    {
        var filter = new ServiceSearchFilter(Empty(commune), Empty(thematique), Empty(publics));
        var errors = ServiceSearch.Validate(filter);
        if (!Paging.TryCreate(page, pageSize, out var paging, out var pagingProblem))
        {
            foreach (var (field, messages) in pagingProblem!.ProblemDetails.Errors) errors[field] = messages;
        }
        if (errors.Count > 0) return Problems.Invalid(errors);

        var items = await ServiceSearch.Apply(session.Query<ServiceDetails>().Stats(out var stats), filter, session.DocumentStore.Options.DatabaseSchemaName)
            .Skip(paging.Skip).Take(paging.PageSize).ToListAsync(http.RequestAborted);
        var bodies = await session.LoadManyAsync<BodySearchEntry>(http.RequestAborted, items.Select(s => s.BodyId).Distinct());
        var names = bodies.ToDictionary(b => b.Id, b => b.Name);
        var summaries = items.Select(s => new ServiceSummary(s.Id, s.BodyId, names.GetValueOrDefault(s.BodyId, ""), s.Fields.Name, s.Fields.Type,
            s.Fields.Thematiques, s.Fields.Publics, s.Fields.ZoneEligibilite, s.Capacity.Status, s.Version)).ToList();
        return TypedResults.Ok(new PageOf<ServiceSummary>(summaries, paging.Page, paging.PageSize, stats.TotalResults));
    }

    private static string? Empty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
