using System.Text.RegularExpressions;

namespace Directory.Api.Bodies;

/// <summary>INSEE codes: a commune (5 characters, Corsica 2A/2B) and the département it lies in.</summary>
public static partial class Territory
{
    [GeneratedRegex(@"^(\d{5}|2[AB]\d{3})$")]
    private static partial Regex CommuneCode();

    [GeneratedRegex(@"^(\d{2}|2[AB]|97[1-6])$")]
    private static partial Regex DepartementCode();

    public static bool IsCommune(string code) => CommuneCode().IsMatch(code);

    public static bool IsDepartement(string code) => DepartementCode().IsMatch(code) && code != "20" && code != "00";

    /// <summary>The département of a commune: overseas communes (97x) use three digits, Corsica 2A/2B.</summary>
    public static string DepartementOf(string communeInsee) =>
        communeInsee.StartsWith("97", StringComparison.Ordinal) ? communeInsee[..3] : communeInsee[..2];

    /// <summary>Whether a body serving <paramref name="served"/> serves this commune.</summary>
    public static bool Serves(IEnumerable<string> served, string communeInsee)
    {
        var departement = DepartementOf(communeInsee);
        return served.Any(code => code == communeInsee || code == departement);
    }
}
