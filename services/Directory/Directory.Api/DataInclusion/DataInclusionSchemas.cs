using System.Text.Json;
using Json.Schema;

namespace Directory.Api.DataInclusion;

/// <summary>
/// The official data·inclusion v1 JSON Schemas (embedded, unmodified) and the vocabularies read from them,
/// so that what Directory accepts, imports and exports never drifts from the published schema.
/// </summary>
public static class DataInclusionSchemas
{
    public const string Structure = "structure";
    public const string Service = "service";

    /// <summary>
    /// Formats (email, uri, date) are asserted: data·inclusion's own validation refuses a malformed email or
    /// date, so an import refusing them is what "rejects exactly what the official schema rejects" means.
    /// </summary>
    public static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    public static readonly JsonSchema StructureSchema = Build(Structure);
    public static readonly JsonSchema ServiceSchema = Build(Service);

    private static readonly JsonElement ServiceDefs = Load(Service).GetProperty("$defs");

    public static readonly IReadOnlySet<string> Thematiques = Enum("Thematique");
    public static readonly IReadOnlySet<string> Publics = Enum("Public");
    public static readonly IReadOnlySet<string> TypesDeService = Enum("TypeService");
    public static readonly IReadOnlySet<string> ModesAccueil = Enum("ModeAccueil");
    public static readonly IReadOnlySet<string> ModesMobilisation = Enum("ModeMobilisation");
    public static readonly IReadOnlySet<string> PersonnesMobilisatrices = Enum("PersonneMobilisatrice");
    public static readonly IReadOnlySet<string> Frais = Enum("Frais");

    /// <summary>The thematique categories: <c>logement-hebergement</c> for <c>logement-hebergement--louer-un-logement</c>.</summary>
    public static readonly IReadOnlySet<string> ThematiqueCategories =
        Thematiques.Select(CategoryOf).ToHashSet(StringComparer.Ordinal);

    public static string CategoryOf(string thematique)
    {
        var cut = thematique.IndexOf("--", StringComparison.Ordinal);
        return cut < 0 ? thematique : thematique[..cut];
    }

    /// <summary>The schema's verdict on one record: empty when valid, else one line per failed check.</summary>
    public static IReadOnlyList<string> Errors(JsonSchema schema, JsonElement record)
    {
        var result = schema.Evaluate(record, Evaluation);
        if (result.IsValid) return [];
        var lines = new List<string>();
        foreach (var node in result.Details ?? [])
        {
            if (node.Errors is null) continue;
            var at = node.InstanceLocation.ToString();
            foreach (var (keyword, message) in node.Errors)
            {
                // anyOf [value, null] reports the null branch as well; that line says nothing useful.
                if (keyword == "type" && message.Contains("\"null\"", StringComparison.Ordinal)) continue;
                lines.Add($"{(at.Length == 0 ? "/" : at)}: {message}");
            }
        }
        return lines.Count > 0 ? lines.Distinct().ToList() : ["The record does not match the data·inclusion schema."];
    }

    private static JsonSchema Build(string name)
    {
        using var stream = Open(name);
        using var reader = new StreamReader(stream);
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        return JsonSchema.FromText(reader.ReadToEnd(), options, new Uri($"https://data.inclusion.gouv.fr/schemas/v1/{name}.json"));
    }

    private static JsonElement Load(string name)
    {
        using var stream = Open(name);
        return JsonDocument.Parse(stream).RootElement.Clone();
    }

    private static Stream Open(string name) =>
        typeof(DataInclusionSchemas).Assembly.GetManifestResourceStream($"Directory.Api.DataInclusion.schemas.v1.{name}.json")
        ?? throw new InvalidOperationException($"The data·inclusion {name} schema is not embedded.");

    private static HashSet<string> Enum(string def) =>
        ServiceDefs.GetProperty(def).GetProperty("enum").EnumerateArray().Select(e => e.GetString()!).ToHashSet(StringComparer.Ordinal);
}
