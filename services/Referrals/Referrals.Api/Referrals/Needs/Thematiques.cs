using System.Text.Json;

namespace Referrals.Api.Referrals.Needs;

/// <summary>
/// The need a referral names: a data·inclusion v1 thematique (the embedded thematiques.json, published by the
/// GIP Plateforme de l'inclusion under the Licence Ouverte 2.0, as Directory uses it for services).
/// </summary>
public static class Thematiques
{
    private sealed record Entry(string Value);

    public static IReadOnlySet<string> All { get; } = Load();

    public static bool IsKnown(string need) => All.Contains(need);

    private static HashSet<string> Load()
    {
        using var stream = typeof(Thematiques).Assembly.GetManifestResourceStream("Referrals.Api.Referrals.Needs.thematiques.json")
            ?? throw new InvalidOperationException("The data·inclusion thematiques are not embedded.");
        var entries = JsonSerializer.Deserialize<Entry[]>(stream, JsonSerializerOptions.Web) ?? [];
        return entries.Select(e => e.Value).ToHashSet(StringComparer.Ordinal);
    }
}
