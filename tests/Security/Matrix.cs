using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Coordination.ServiceDefaults.Demo;

namespace Security.Tests;

/// <summary>One way to call an operation: its URL (and body), the person whose data it names, and the same call on unknown ids.</summary>
public sealed record Variant(Operation Op, Context? Context, string Url, JsonNode? Body, Target? Target, bool ByIdentity,
    string? UnknownUrl, JsonNode? UnknownBody, IReadOnlySet<Guid> BoundItems);

/// <summary>One cell of the matrix: an actor calling one variant of an operation.</summary>
public sealed record Cell(Variant Variant, Actor Actor, Request Request, Request? Unknown)
{
    public Operation Op => Variant.Op;
}

public sealed record Outcome(Cell Cell, Answer Answer, Answer? UnknownAnswer);

/// <summary>
/// Plans the calls of the matrix from the OpenAPI documents and the scenario. Path parameters are filled from the
/// scenario's contexts by the collection they follow; list and search routes get the persons' names and birth dates and
/// every involved or uninvolved body's id; bodies of mutations are generated from their schemas with the scenario's ids.
/// </summary>
public sealed class MatrixPlan
{
    private static readonly Guid Ccas = DemoData.CcasNarbonne;
    private static readonly Guid Caf = DemoData.CafAude;
    private static readonly Guid Mairie = DemoData.MairieNarbonne;

    private readonly Scenario _scenario;
    private readonly Dictionary<string, Guid> _unknownIds;

    public MatrixPlan(ApiCatalog catalog, Scenario scenario)
    {
        _scenario = scenario;
        // The same unknown ids for every call, so that "unknown" answers compare with each other too.
        _unknownIds = Context.PersonLevel.ToDictionary(k => k, _ => Guid.CreateVersion7(), StringComparer.Ordinal);
        var unmapped = catalog.Operations.SelectMany(op => op.Path.Where(p => p.Collection is not { } c
            || !(Context.PersonLevel.Contains(c) || Context.BodyLevel.Contains(c))).Select(p => $"{op.Key} {{{p.Name}}}")).ToList();
        if (unmapped.Count > 0)
        {
            throw new InvalidOperationException("Path parameters the scenario cannot fill (teach Context and ScenarioBuilder about them): " +
                string.Join(", ", unmapped));
        }
        Operations = catalog.Operations;
        Variants = catalog.Operations.SelectMany(VariantsOf).ToList();
        var planned = Variants.Select(v => v.Op).ToHashSet();
        Unplanned = catalog.Operations.Where(op => !planned.Contains(op)).ToList();
    }

    public IReadOnlyList<Operation> Operations { get; }

    public IReadOnlyList<Variant> Variants { get; }

    public IReadOnlyList<Operation> Unplanned { get; }

    private IEnumerable<Variant> VariantsOf(Operation op)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // A route without path parameters may still name a person: by identity (search, registration) or by id in its body.
        var namesPerson = op.IsExactMatchSearch || HasIdentityFields(op) || (op.IsMutation && HasField(op, "personId"));
        IEnumerable<(Context? Context, Target? Person)> contexts = op.Path.Count > 0
            ? _scenario.Contexts.Select(c => ((Context?)c, c.Person))
            : namesPerson
                ? _scenario.Targets.Select(t => ((Context?)_scenario.Contexts.First(c => c.Person == t), (Target?)t))
                : [((Context?)_scenario.Contexts[0], (Target?)null)];
        foreach (var (context, person) in contexts)
        {
            var path = op.Path.Count > 0 ? op.Fill(context!.Ids) : op.Template.TrimStart('/');
            if (path is null) continue;
            var boundPersonLevel = op.Path.Where(p => Context.PersonLevel.Contains(p.Collection!)).ToList();
            var byIdentity = op.IsExactMatchSearch || HasIdentityFields(op);
            var target = boundPersonLevel.Count > 0 || namesPerson ? person : null;
            var bound = boundPersonLevel.Select(p => context!.Ids[p.Collection!]).ToHashSet();
            foreach (var query in QueryVariants(op, person))
            {
                var url = path + (query.Length > 0 ? "?" + query : "");
                if (!seen.Add(url)) continue;
                var body = op.BodySchema is null ? null : Examples.For(op.Document, op.BodySchema, Hints(context, person));
                string? unknownUrl = null;
                JsonNode? unknownBody = null;
                // Identity fields of a registration: "unknown names" would register someone new, and a duplicate is
                // reported by design (ADR 0023), so a registration is judged by its outcome alone.
                if (target is not null && !(HasIdentityFields(op) && op.IsMutation))
                {
                    var unknownPath = op.Fill(p => p.Collection is { } c && Context.PersonLevel.Contains(c) ? _unknownIds[c].ToString()
                        : p.Collection is { } b && context!.Ids.TryGetValue(b, out var id) ? id.ToString() : null);
                    var unknownQuery = op.IsExactMatchSearch ? IdentityQuery("Inconnu", "Personne", "1950-01-01") : query;
                    unknownUrl = unknownPath + (unknownQuery.Length > 0 ? "?" + unknownQuery : "");
                    unknownBody = op.BodySchema is null ? null : Examples.For(op.Document, op.BodySchema, Hints(context, null));
                }
                yield return new Variant(op, context, url, body, target, byIdentity, unknownUrl, unknownBody, bound);
            }
        }
    }

    private static bool HasField(Operation op, string field) =>
        op.Document.Resolve(op.BodySchema) is JsonObject s && (s["properties"] as JsonObject)?.ContainsKey(field) == true;

    /// <summary>A request that names a person by identity (a registration): family name, given name and birth date.</summary>
    private static bool HasIdentityFields(Operation op) => HasField(op, "familyName") && HasField(op, "givenName") && HasField(op, "birthDate");

    private static string IdentityQuery(string family, string given, string birth) =>
        $"familyName={Uri.EscapeDataString(family)}&givenName={Uri.EscapeDataString(given)}&birthDate={birth}";

    /// <summary>
    /// Query strings: the person's names and birth date for the search, every body's id for lists of a body (the
    /// caller's own is added per caller, see <see cref="OwnBody"/>), both directions of a body's lists.
    /// </summary>
    private static IEnumerable<string> QueryVariants(Operation op, Target? person)
    {
        IEnumerable<List<string>> combos = [[]];
        foreach (var q in op.Query)
        {
            string[]? values = q.Name switch
            {
                "bodyId" => [OwnBody, Ccas.ToString(), Mairie.ToString(), Caf.ToString()],
                "direction" => ["inbox", "outbox"],
                _ => null,
            };
            if (values is null) continue;
            combos = combos.SelectMany(c => values.Select(v => new List<string>(c) { $"{q.Name}={v}" })).ToList();
        }
        foreach (var combo in combos)
        {
            if (op.IsExactMatchSearch && person is not null) combo.Insert(0, IdentityQuery(person.FamilyName, person.GivenName, person.BirthDate));
            yield return string.Join("&", combo);
        }
    }

    /// <summary>Stands for the caller's own body in a planned query; replaced per caller (a caller without one skips it).</summary>
    public const string OwnBody = "{own-body}";

    /// <summary>Values for the fields of generated bodies, so that a request would do something real if it were allowed.</summary>
    private Func<string, JsonNode?> Hints(Context? context, Target? person) => name =>
    {
        Guid? Id(string key) => context is not null && context.Ids.TryGetValue(key, out var id) ? id : null;
        return name switch
        {
            "personId" => JsonValue.Create(person?.PersonId ?? _unknownIds["persons"]),
            "toBodyId" => JsonValue.Create(Mairie),
            "bodyId" => JsonValue.Create(Caf),
            "memberId" => Id("members") is { } m ? JsonValue.Create(m) : null,
            "referralId" => Id("referrals") is { } r ? JsonValue.Create(r) : null,
            "companionId" => person is null ? null : JsonValue.Create(person.Facts.Companions.Count > 0 ? person.Facts.Companions[0].CompanionId : Guid.Empty),
            "slotId" => JsonValue.Create(_scenario.FreeSlot),
            "placeId" => Id("places") is { } p ? JsonValue.Create(p) : null,
            "scheduleId" or "startsAt" => null,
            "need" => JsonValue.Create(ScenarioBuilder.Need),
            "reason" or "note" => JsonValue.Create("Sonde de sécurité"),
            "categories" => new JsonArray("identity"),
            "purpose" => JsonValue.Create("follow_up_coordination"),
            "revokedBy" => JsonValue.Create("professional_on_request"),
            "consentCollection" => JsonValue.Create("in_person"),
            "familyName" => JsonValue.Create(person?.FamilyName ?? "Inconnu"),
            "givenName" => JsonValue.Create(person?.GivenName ?? "Personne"),
            "birthDate" => JsonValue.Create(person?.BirthDate ?? "1950-01-01"),
            "grants" => new JsonArray(new JsonObject { ["bodyId"] = Caf, ["categories"] = new JsonArray("identity"), ["purpose"] = "follow_up_coordination" }),
            "displayName" => JsonValue.Create("Sonde Sécurité"),
            "email" => JsonValue.Create("sonde.securite@example.org"),
            "name" => JsonValue.Create("Organisme sonde"),
            "description" => JsonValue.Create("Une description de sonde."),
            "url" => JsonValue.Create("https://example.org/webhook"),
            "secret" => JsonValue.Create(new string('k', 32)),
            "topics" => new JsonArray("appointment.created"),
            "on" => JsonValue.Create(DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
            "address" => new JsonObject { ["communeInsee"] = "11262" },
            _ => null,
        };
    };

    /// <summary>The cells of one actor: every read, and the mutations the oracle says this actor must not be able to make.</summary>
    public IEnumerable<Cell> CellsOf(Actor actor, Func<Variant, string?> ifMatch)
    {
        foreach (var v in Variants)
        {
            if (v.Op.IsMutation && !MustNotMutate(actor, v)) continue;
            var url = v.Url;
            if (url.Contains(OwnBody, StringComparison.Ordinal))
            {
                if (actor.BodyId is not { } own) continue;
                url = url.Replace(OwnBody, own.ToString(), StringComparison.Ordinal);
                if (Variants.Any(x => x.Op == v.Op && x.Url == url)) continue;
            }
            var headers = v.Op.IsMutation && ifMatch(v) is { } etag ? new[] { KeyValuePair.Create("If-Match", etag) } : null;
            var request = Build(v.Op, url, v.Body, headers);
            var unknown = v.UnknownUrl is { } u && !Oracle.MayKnow(actor, v.Target!.Facts)
                ? Build(v.Op, u.Replace(OwnBody, actor.BodyId?.ToString() ?? Ccas.ToString(), StringComparison.Ordinal), v.UnknownBody, headers)
                : null;
            yield return new Cell(v, actor, request, unknown);
        }
    }

    private static Request Build(Operation op, string url, JsonNode? body, IReadOnlyList<KeyValuePair<string, string>>? headers)
    {
        if (body is null && op.BodyContentTypes.Count == 0) return new Request(op.Service, op.HttpMethod, url, Headers: headers);
        var type = op.BodyContentTypes.FirstOrDefault(t => t.Contains("json", StringComparison.Ordinal))
            ?? op.BodyContentTypes.FirstOrDefault(t => t == "application/x-www-form-urlencoded") ?? "application/json";
        var bytes = type == "application/x-www-form-urlencoded"
            ? System.Text.Encoding.UTF8.GetBytes(Examples.Form(body))
            : System.Text.Encoding.UTF8.GetBytes((body ?? new JsonObject()).ToJsonString());
        return new Request(op.Service, op.HttpMethod, url, bytes, type, headers);
    }

    /// <summary>
    /// Mutations are sent only by actors who must not succeed, so the matrix never changes the scenario unless a
    /// service is wrong: on a person's data, anyone who may not act on that person (§4); on a body, anyone who does not
    /// manage it; on the caller's own record, anyone who is not a person; anonymous callers everywhere.
    /// </summary>
    public static bool MustNotMutate(Actor actor, Variant v)
    {
        if (actor.IsAnonymous) return true;
        var op = v.Op;
        if (v.Target is { } target)
        {
            var act = op.Method == "post" && op.Template.EndsWith("/accompaniments", StringComparison.Ordinal) ? Oracle.Act.LogAccompaniment
                : op.Template.EndsWith("/erasure", StringComparison.Ordinal) ? Oracle.Act.Erase
                : Oracle.Act.Other;
            return !Oracle.MayAct(actor, target.Facts, act);
        }
        if (op.IsOwnRecord) return !actor.IsPerson;
        var body = op.Path.Any(p => p.Collection == "bodies") && v.Context is { } c && c.Ids.TryGetValue("bodies", out var id) ? id : (Guid?)null;
        return op.Secured && !Oracle.MayManage(actor, body);
    }
}

public static class MatrixRunner
{
    public static async Task<IReadOnlyList<Outcome>> RunAsync(Clients clients, IEnumerable<Cell> cells, int parallelism = 6)
    {
        var outcomes = new ConcurrentBag<Outcome>();
        await Parallel.ForEachAsync(cells, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (cell, _) =>
        {
            var answer = await clients.Send(cell.Request, cell.Actor);
            var unknown = cell.Unknown is { } u ? await clients.Send(u, cell.Actor) : null;
            outcomes.Add(new Outcome(cell, answer, unknown));
        });
        return outcomes.ToList();
    }
}
