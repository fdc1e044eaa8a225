using System.Globalization;
using System.Text;
using System.Text.Json;
using Coordination.ServiceDefaults.Http;
using Directory.Api.DataInclusion;
using Directory.Api.ServiceOffers;
using Directory.Api.ServiceOffers.GettingDetails;
using Marten;
using Marten.Events.Projections;

namespace Directory.Api.Bodies.Searching;

/// <summary>
/// The search document of a body: what "who can help in this commune, on this theme" needs, kept inline
/// with every write. <see cref="ServedCodes"/> is the body's territory plus the eligibility zones of its
/// services; <see cref="ThematiqueKeys"/> the thematiques of its services and their categories. Both are
/// matched by JSON containment (<c>@&gt;</c>) under a GIN index of the whole document.
/// </summary>
public sealed record BodySearchEntry
{
    public Guid Id { get; init; }
    public string Name { get; init; } = "";
    public string NameFolded { get; init; } = "";
    public string Kind { get; init; } = "";
    public string? CommuneInsee { get; init; }
    public string? Commune { get; init; }
    public bool Sensitive { get; init; }
    public string[] TerritoryCodes { get; init; } = [];
    public string[] ServedCodes { get; init; } = [];
    public string[] Thematiques { get; init; } = [];
    public string[] ThematiqueKeys { get; init; } = [];
    public Dictionary<Guid, string[]> ServiceThematiques { get; init; } = [];
    public Dictionary<Guid, string[]> ServiceZones { get; init; } = [];

    public BodySearchEntry WithProfile(Guid id, BodyProfile p) => Recompute(this with
    {
        Id = id,
        Name = p.Name,
        NameFolded = BodySearch.Fold(p.Name),
        Kind = p.Kind,
        CommuneInsee = p.Address.CommuneInsee,
        Commune = p.Address.Commune,
        Sensitive = p.Sensitive,
        TerritoryCodes = p.TerritoryCodes,
    });

    public BodySearchEntry WithService(Guid bodyId, Guid serviceId, ServiceFields f)
    {
        var thematiques = new Dictionary<Guid, string[]>(ServiceThematiques) { [serviceId] = f.Thematiques };
        var zones = new Dictionary<Guid, string[]>(ServiceZones) { [serviceId] = f.ZoneEligibilite };
        return Recompute(this with { Id = bodyId, ServiceThematiques = thematiques, ServiceZones = zones });
    }

    private static BodySearchEntry Recompute(BodySearchEntry s)
    {
        var thematiques = s.ServiceThematiques.Values.SelectMany(t => t).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        // EPCI codes (9 digits) are not resolved to communes: no reference table of EPCI members is kept here.
        var zones = s.ServiceZones.Values.SelectMany(z => z)
            .Select(c => c == "99100" ? "france" : c)
            .Where(c => c == "france" || Territory.IsCommune(c) || Territory.IsDepartement(c));
        return s with
        {
            Thematiques = thematiques,
            ThematiqueKeys = ServiceDetails.KeysOf(thematiques),
            ServedCodes = s.TerritoryCodes.Concat(zones).Distinct(StringComparer.Ordinal).ToArray(),
        };
    }
}

public sealed class BodySearchProjection : MultiStreamProjection<BodySearchEntry, Guid>
{
    public BodySearchProjection()
    {
        Identity<BodyRegistered>(e => e.BodyId);
        Identity<BodyUpdated>(e => e.BodyId);
        Identity<ServiceListed>(e => e.BodyId);
        Identity<ServiceUpdated>(e => e.BodyId);
    }

    // Apply only (no Create): a body and its services written in one transaction (an import) may reach the
    // projection in any order, so every event starts from an empty entry when there is none yet.
    public static BodySearchEntry Apply(BodyRegistered e, BodySearchEntry s) => s.WithProfile(e.BodyId, e.Profile);

    public static BodySearchEntry Apply(BodyUpdated e, BodySearchEntry s) => s.WithProfile(e.BodyId, e.Profile);

    public static BodySearchEntry Apply(ServiceListed e, BodySearchEntry s) => s.WithService(e.BodyId, e.ServiceId, e.Fields);

    public static BodySearchEntry Apply(ServiceUpdated e, BodySearchEntry s) => s.WithService(e.BodyId, e.ServiceId, e.Fields);
}

public sealed record BodySearchFilter(string? Commune, string? Kind, string? Thematique, string? Q);

public sealed record BodySummary(Guid Id, string Name, string Kind, string? Commune, string? CommuneInsee, string[] TerritoryCodes,
    string[] Thematiques, bool Sensitive);

public static class BodySearch
{
    /// <summary>The document's table is <c>mt_doc_bodysearchentry</c>: raw SQL here and in service search names it.</summary>
    public const string Alias = "bodysearchentry";

    /// <summary>Lower case without accents, so that "Beziers" finds "Béziers".</summary>
    public static string Fold(string text)
    {
        var decomposed = text.Trim().ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var folded = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark) folded.Append(c);
        }
        return folded.ToString().Normalize(NormalizationForm.FormC);
    }

    public static Dictionary<string, string[]> Validate(BodySearchFilter f)
    {
        var errors = new Dictionary<string, string[]>();
        if (f.Commune is { } c && !Territory.IsCommune(c)) errors["commune"] = ["An INSEE commune code: five digits, or 2A/2B and three digits."];
        if (f.Kind is { } k && !BodyKinds.IsKnown(k)) errors["kind"] = ["Unknown kind: use a data·inclusion reseaux_porteurs value, 'association' or 'other'."];
        if (f.Thematique is { } t && !DataInclusionSchemas.Thematiques.Contains(t) && !DataInclusionSchemas.ThematiqueCategories.Contains(t))
            errors["thematique"] = ["A data·inclusion thematique or thematique category."];
        if (f.Q is { } q && Fold(q).Length is < 2 or > 100) errors["q"] = ["Between 2 and 100 characters."];
        return errors;
    }

    /// <summary>A search as SQL with <c>?</c> placeholders, run by the endpoint through Marten and by the benchmark on its own.</summary>
    public sealed record Sql(string Text, object[] Parameters);

    private sealed record Row(Guid Id, string Name, string Kind, string? Commune, string? CommuneInsee, string[] TerritoryCodes,
        string[] Thematiques, bool Sensitive, long Total);

    /// <summary>
    /// One page of a search in one statement. The exact criteria become a single containment document per
    /// served code — the commune, its département, or national — so each alternative is one GIN lookup; the
    /// total comes with the page (<c>count(*) over ()</c>). Written as SQL rather than LINQ: parsing a LINQ
    /// query costs more than running this one.
    /// </summary>
    public static Sql Page(string schema, BodySearchFilter f, Paging paging)
    {
        var (where, parameters) = Where(f);
        const string Fields = "'id', d.id, 'name', d.data -> 'name', 'kind', d.data -> 'kind', 'commune', d.data -> 'commune', " +
            "'communeInsee', d.data -> 'communeInsee', 'territoryCodes', d.data -> 'territoryCodes', 'thematiques', d.data -> 'thematiques', " +
            "'sensitive', d.data -> 'sensitive', 'total', count(*) over ()";
        return new Sql(
            $"select jsonb_build_object({Fields}) from {schema}.mt_doc_{Alias} d where {where} " +
            "order by d.data ->> 'name', d.id limit ? offset ?",
            [.. parameters, paging.PageSize, paging.Skip]);
    }

    public static Sql Count(string schema, BodySearchFilter f)
    {
        var (where, parameters) = Where(f);
        return new Sql($"select count(*) from {schema}.mt_doc_{Alias} d where {where}", parameters);
    }

    public static async Task<PageOf<BodySummary>> Run(IQuerySession session, BodySearchFilter filter, Paging paging, CancellationToken ct)
    {
        var schema = session.DocumentStore.Options.DatabaseSchemaName;
        var page = Page(schema, filter, paging);
        var rows = await session.QueryAsync<Row>(page.Text, ct, page.Parameters);
        var total = rows.Count > 0 ? rows[0].Total
            : paging.Page == 1 ? 0
            : (await session.QueryAsync<long>(Count(schema, filter).Text, ct, Count(schema, filter).Parameters))[0];
        var items = rows.Select(r => new BodySummary(r.Id, r.Name, r.Kind, r.Commune, r.CommuneInsee, r.TerritoryCodes, r.Thematiques, r.Sensitive)).ToList();
        return new PageOf<BodySummary>(items, paging.Page, paging.PageSize, total);
    }

    private static (string Where, object[] Parameters) Where(BodySearchFilter f)
    {
        var conditions = new List<string>();
        var parameters = new List<object>();
        if (f.Commune is { } commune)
        {
            conditions.Add("(d.data @> ?::jsonb or d.data @> ?::jsonb or d.data @> ?::jsonb)");
            parameters.AddRange([Containment(commune, f), Containment(Territory.DepartementOf(commune), f), Containment("france", f)]);
        }
        else if (f.Kind is not null || f.Thematique is not null)
        {
            conditions.Add("d.data @> ?::jsonb");
            parameters.Add(Containment(null, f));
        }
        if (f.Q is { } q)
        {
            conditions.Add("d.data ->> 'nameFolded' like ?");
            parameters.Add("%" + Fold(q).Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal)
                .Replace("_", @"\_", StringComparison.Ordinal) + "%");
        }
        return (conditions.Count == 0 ? "true" : string.Join(" and ", conditions), [.. parameters]);
    }

    private static string Containment(string? servedCode, BodySearchFilter f)
    {
        var document = new Dictionary<string, object>();
        if (servedCode is not null) document["servedCodes"] = new[] { servedCode };
        if (f.Thematique is { } t) document["thematiqueKeys"] = new[] { t };
        if (f.Kind is { } k) document["kind"] = k;
        return JsonSerializer.Serialize(document);
    }
}

public static class SearchBodiesEndpoint
{
    public static RouteGroupBuilder MapSearchBodies(this RouteGroupBuilder group)
    {
        group.MapGet("/bodies", Handle)
            .WithName("searchBodies")
            .WithSummary("Find bodies")
            .WithDescription("commune: bodies whose territory (or a service's eligibility zone) lists that INSEE commune, its " +
                "département, or all of France; kind: a body kind; thematique: a data·inclusion thematique or category offered by " +
                "one of its services; q: part of the name (case and accents ignored). Paged by name (page from 1, pageSize at most 100).")
            .Produces<PageOf<BodySummary>>()
            .ProducesValidationProblem();
        return group;
    }

    private static async Task<IResult> Handle(string? commune, string? kind, string? thematique, string? q, int? page, int? pageSize,
        IQuerySession session, HttpContext http)
    {
        var filter = new BodySearchFilter(Empty(commune), Empty(kind), Empty(thematique), Empty(q));
        var errors = BodySearch.Validate(filter);
        if (!Paging.TryCreate(page, pageSize, out var paging, out var pagingProblem))
        {
            foreach (var (field, messages) in pagingProblem!.ProblemDetails.Errors) errors[field] = messages;
        }
        if (errors.Count > 0) return Problems.Invalid(errors);

        return TypedResults.Ok(await BodySearch.Run(session, filter, paging, http.RequestAborted));
    }

    private static string? Empty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
