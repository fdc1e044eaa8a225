using System.Text.Json;

namespace Directory.Api.Bodies;

/// <summary>
/// Body kinds: the data·inclusion <c>reseaux_porteurs</c> values (read from the embedded schema, so they
/// never drift from it) plus <c>association</c> and <c>other</c> for bodies outside those networks.
/// </summary>
public static class BodyKinds
{
    public const string Association = "association";
    public const string Other = "other";

    public static readonly IReadOnlySet<string> ReseauxPorteurs = LoadReseauxPorteurs();

    public static readonly IReadOnlySet<string> All =
        new HashSet<string>(ReseauxPorteurs.Append(Association).Append(Other), StringComparer.Ordinal);

    public static bool IsKnown(string kind) => All.Contains(kind);

    private static HashSet<string> LoadReseauxPorteurs()
    {
        using var stream = typeof(BodyKinds).Assembly.GetManifestResourceStream("Directory.Api.DataInclusion.schemas.v1.structure.json")
            ?? throw new InvalidOperationException("The data·inclusion structure schema is not embedded.");
        using var schema = JsonDocument.Parse(stream);
        return schema.RootElement.GetProperty("$defs").GetProperty("ReseauPorteur").GetProperty("enum")
            .EnumerateArray().Select(e => e.GetString()!).ToHashSet(StringComparer.Ordinal);
    }
}
