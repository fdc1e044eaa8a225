using System.Globalization;
using System.Text.RegularExpressions;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Marten;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Referrals.Api.Referrals.GettingDetails;

namespace Referrals.Api.Statistics;

/// <summary>
/// One cell: closed referrals of one target right (null: not specified) with one outcome. <see cref="Count"/>
/// is a number from <see cref="RightsOpenedStatistics.SmallCellThreshold"/> up, and the string "&lt;5" below
/// (zero included), so that no cell points at a handful of people.
/// </summary>
public sealed record RightsOpenedCell(TargetRight? TargetRight, ClosingOutcome Outcome, object Count);

/// <summary><see cref="Departement"/> is null for receiving bodies whose commune is not known.</summary>
public sealed record DepartementRightsOpened(string? Departement, IReadOnlyList<RightsOpenedCell> Cells);

public sealed record RightsOpenedStatistics(DateOnly? From, DateOnly? To, int SmallCellThreshold, IReadOnlyList<DepartementRightsOpened> Departements);

/// <summary>A closed referral as the statistics count it: no person, only the receiving body, the right and the outcome.</summary>
public sealed record ClosedReferralRow(Guid ToBodyId, TargetRight? Right, ClosingOutcome Outcome);

public static partial class RightsOpened
{
    public const int SmallCellThreshold = 5;
    public const string SmallCell = "<5";

    [GeneratedRegex(@"^(\d{2}|2[AB]|97[1-6])$")]
    private static partial Regex DepartementCode();

    public static bool IsDepartement(string code) => DepartementCode().IsMatch(code) && code is not ("20" or "00");

    /// <summary>The département of a commune (INSEE): three characters overseas (97x), two elsewhere (Corsica 2A/2B).</summary>
    public static string? DepartementOf(string? communeInsee) =>
        communeInsee is not { Length: 5 } ? null : communeInsee.StartsWith("97", StringComparison.Ordinal) ? communeInsee[..3] : communeInsee[..2];

    /// <summary>Pure: every right × outcome cell of every département present (or of the one asked for), small cells masked.</summary>
    public static IReadOnlyList<DepartementRightsOpened> Tabulate(IEnumerable<ClosedReferralRow> rows, IReadOnlyDictionary<Guid, string?> departementOfBody,
        string? onlyDepartement)
    {
        var counts = rows
            .Select(r => (Departement: departementOfBody.GetValueOrDefault(r.ToBodyId), r.Right, r.Outcome))
            .Where(r => onlyDepartement is null || r.Departement == onlyDepartement)
            .GroupBy(r => r)
            .ToDictionary(g => g.Key, g => g.Count());
        var departements = counts.Keys.Select(k => k.Departement).Distinct().ToList();
        if (onlyDepartement is not null && !departements.Contains(onlyDepartement)) departements.Add(onlyDepartement);

        TargetRight?[] rights = [.. Enum.GetValues<TargetRight>().Select(r => (TargetRight?)r), null];
        return departements.OrderBy(d => d ?? "~", StringComparer.Ordinal).Select(d => new DepartementRightsOpened(d,
            rights.SelectMany(right => Enum.GetValues<ClosingOutcome>().Select(outcome =>
                new RightsOpenedCell(right, outcome, Mask(counts.GetValueOrDefault((d, right, outcome)))))).ToList())).ToList();
    }

    public static object Mask(int count) => count < SmallCellThreshold ? SmallCell : count;
}

public static class RightsOpenedEndpoint
{
    public static RouteGroupBuilder MapRightsOpened(this RouteGroupBuilder group)
    {
        group.MapGet("/statistics/rights-opened", Handle)
            .WithName("getRightsOpened")
            .WithSummary("Count closed referrals by right and outcome per département")
            .WithDescription("Closed referrals by target right and outcome, per département of the receiving body, closed between " +
                "from and to (Paris dates, inclusive), optionally for one département. Every right × outcome cell is given; cells " +
                "under 5 are the string \"<5\". No person-level data. Coordinators and administrators only.")
            .Produces<RightsOpenedStatistics>()
            .ProducesValidationProblem();
        return group;
    }

    private static async Task<IResult> Handle(string? departement, string? from, string? to, Caller caller, IQuerySession session, HttpContext http)
    {
        if (!(caller.IsAdmin || (caller.IsProfessional && caller.Role == Roles.Coordinator)))
        {
            return Problems.Forbidden("Coordinators and administrators only.");
        }
        var errors = new Dictionary<string, string[]>();
        if (departement is not null && !RightsOpened.IsDepartement(departement)) errors["departement"] = ["A département code: 11, 2A, 974…"];
        var fromDay = ParseDay(errors, "from", from);
        var toDay = ParseDay(errors, "to", to);
        if (fromDay is { } f && toDay is { } t && t < f) errors["to"] = ["Not before from."];
        if (errors.Count > 0) return Problems.Invalid(errors);

        var query = session.Query<ReferralDetails>().Where(r => r.Status == ReferralStatus.Closed);
        if (fromDay is { } start)
        {
            var since = Clock.StartOf(start);
            query = query.Where(r => r.ClosedAt >= since);
        }
        if (toDay is { } end)
        {
            var until = Clock.StartOf(end.AddDays(1));
            query = query.Where(r => r.ClosedAt < until);
        }
        var rows = await query.Select(r => new ClosedReferralRow(r.ToBodyId, r.ClosedTargetRight, r.Outcome!.Value)).ToListAsync(http.RequestAborted);
        var bodyIds = rows.Select(r => r.ToBodyId).Distinct().ToArray();
        var bodies = bodyIds.Length == 0 ? [] : await session.LoadManyAsync<BodyCopy>(http.RequestAborted, bodyIds);
        var departements = bodies.ToDictionary(b => b.Id, b => RightsOpened.DepartementOf(b.CommuneInsee));

        return TypedResults.Ok(new RightsOpenedStatistics(fromDay, toDay, RightsOpened.SmallCellThreshold,
            RightsOpened.Tabulate(rows, departements, departement)));
    }

    /// <summary>Describes a cell's count as what it is: an integer from 5, or the string "&lt;5".</summary>
    public static IServiceCollection AddRightsOpenedSchema(this IServiceCollection services) =>
        services.Configure("v1", (OpenApiOptions o) => o.AddSchemaTransformer((schema, context, _) =>
        {
            if (context.JsonTypeInfo.Type == typeof(RightsOpenedCell) && schema.Properties is { } properties && properties.ContainsKey("count"))
            {
                properties["count"] = new OpenApiSchema
                {
                    Description = "The number of closed referrals, or \"<5\" for fewer than five (zero included).",
                    OneOf =
                    [
                        new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "5" },
                        new OpenApiSchema { Type = JsonSchemaType.String, Enum = [System.Text.Json.Nodes.JsonValue.Create(RightsOpened.SmallCell)] },
                    ],
                };
            }
            return Task.CompletedTask;
        }));

    private static DateOnly? ParseDay(Dictionary<string, string[]> errors, string field, string? value)
    {
        if (value is null) return null;
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return day;
        errors[field] = ["A date, yyyy-MM-dd."];
        return null;
    }
}
