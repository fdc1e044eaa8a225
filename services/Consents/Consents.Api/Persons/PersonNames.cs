using System.Globalization;
using System.Text;

namespace Consents.Api.Persons;

/// <summary>Names as stored, as compared (duplicate check, exact-match search) and as shown to other bodies.</summary>
public static class PersonNames
{
    /// <summary>Trimmed, inner runs of white space collapsed to one space; case and accents kept.</summary>
    public static string Clean(string name) =>
        string.Join(' ', name.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>
    /// "  Éloïse   DUPONT " and "eloise dupont" fold to the same key: decomposed (FormD), non-spacing marks
    /// dropped, lower-cased, trimmed, spaces collapsed. Ligatures (œ, æ) are letters, not marks: they stay.
    /// </summary>
    public static string Fold(string name)
    {
        var decomposed = Clean(name).Normalize(NormalizationForm.FormD);
        var kept = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark) kept.Append(c);
        }
        return kept.ToString().Normalize(NormalizationForm.FormC).ToLowerInvariant();
    }

    /// <summary>The key two registrations of one person share: family name, given name, birth date.</summary>
    public static string MatchKey(string familyName, string givenName, DateOnly birthDate) =>
        $"{Fold(familyName)}|{Fold(givenName)}|{birthDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";

    /// <summary>
    /// What other bodies see in contracts and bookings: given name and the initial of the family name
    /// ("Marie D."), to limit what travels.
    /// </summary>
    public static string DisplayName(string givenName, string familyName)
    {
        var initial = Clean(familyName).FirstOrDefault(char.IsLetter);
        var given = Clean(givenName);
        return initial == default ? given : $"{given} {char.ToUpperInvariant(initial)}.";
    }
}
