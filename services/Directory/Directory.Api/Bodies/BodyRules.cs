using System.ComponentModel.DataAnnotations;
using Directory.Api.Formats;

namespace Directory.Api.Bodies;

public sealed record AddressRequest(
    [property: StringLength(200)] string? Line,
    [property: StringLength(10)] string? PostalCode,
    string? CommuneInsee,
    [property: StringLength(100)] string? Commune,
    [property: StringLength(200)] string? Complement = null);

/// <summary>A body as clients write it: registering sends all of it, a PATCH is merged into the current one.</summary>
public sealed record RegisterBodyRequest(
    [property: Required] string Name,
    [property: Required] string Kind,
    AddressRequest? Address,
    string[]? TerritoryCodes,
    bool Sensitive = false,
    string? Siret = null,
    string? Phone = null,
    string? Email = null,
    string? Website = null,
    string? OpeningHours = null,
    [property: StringLength(10_000)] string? Description = null);

/// <summary>
/// The rules a body must meet through the API. They are stricter than import, which keeps a wrong SIRET key,
/// opening hours outside the subset or a missing INSEE code with a warning; the API refuses them.
/// </summary>
public static class BodyRules
{
    public static Dictionary<string, string[]> Validate(RegisterBodyRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name)) errors["name"] = ["Required."];
        else if (name.Length is < 3 or > 150) errors["name"] = ["Between 3 and 150 characters."];
        else if (name.EndsWith('.')) errors["name"] = ["Must not end with a period."];

        if (string.IsNullOrEmpty(request.Kind)) errors["kind"] = ["Required."];
        else if (!BodyKinds.IsKnown(request.Kind)) errors["kind"] = ["Unknown kind: use a data·inclusion reseaux_porteurs value, 'association' or 'other'."];

        var address = request.Address;
        if (address?.CommuneInsee is not { Length: > 0 } commune) errors["address.communeInsee"] = ["Required: the INSEE code of the body's commune."];
        else if (!Territory.IsCommune(commune)) errors["address.communeInsee"] = ["An INSEE commune code: five digits, or 2A/2B and three digits."];
        if (address?.PostalCode is { } postal && !(postal.Length == 5 && postal.All(char.IsAsciiDigit)))
            errors["address.postalCode"] = ["Five digits."];
        Length(errors, "address.line", address?.Line, 200);
        Length(errors, "address.complement", address?.Complement, 200);
        Length(errors, "address.commune", address?.Commune, 100);

        var territory = request.TerritoryCodes ?? [];
        for (var i = 0; i < territory.Length; i++)
        {
            if (territory[i] is not { } code || (!Territory.IsCommune(code) && !Territory.IsDepartement(code)))
                errors[$"territoryCodes[{i}]"] = ["An INSEE commune code or a département code."];
        }
        if (territory.Length > 1000) errors["territoryCodes"] = ["At most 1000 codes."];

        if (request.Siret is { } siret)
        {
            if (!Siret.IsWellFormed(siret)) errors["siret"] = ["Fourteen digits."];
            else if (!Siret.IsValid(siret)) errors["siret"] = ["The check digit is wrong (Luhn key; La Poste: digit sum a multiple of 5)."];
        }
        if (request.Phone is { } phone && !Contacts.TryNormalizePhone(phone, out _)) errors["phone"] = ["A valid phone number, in E.164 (+33468903030) or French national form."];
        if (request.Email is { } email && !Contacts.IsEmail(email)) errors["email"] = ["A valid email address."];
        if (request.Website is { } website && !Contacts.IsWebsite(website)) errors["website"] = ["An absolute http(s) URL."];
        if (request.OpeningHours is { } hours && !OpeningHours.TryParse(hours, out _, out var why))
            errors["openingHours"] = ["OSM opening_hours in the supported subset (e.g. 'Mo-Fr 08:30-12:30; PH off'): " + why];
        if (request.Description is { } description && description.Trim().Length is < 5 or > 10_000)
            errors["description"] = ["Between 5 and 10 000 characters."];
        return errors;
    }

    /// <summary>The validated request, normalised: trimmed, phone in E.164, opening hours in canonical form.</summary>
    public static BodyProfile ToProfile(RegisterBodyRequest request)
    {
        var a = request.Address!;
        var address = new Address(Blank(a.Line), Blank(a.PostalCode), a.CommuneInsee, Blank(a.Commune), Blank(a.Complement));
        var phone = request.Phone is { } p && Contacts.TryNormalizePhone(p, out var e164) ? e164 : null;
        var hours = request.OpeningHours is { } h && OpeningHours.TryParse(h, out var rules, out _) ? OpeningHours.Normalize(rules) : null;
        return new BodyProfile(request.Name.Trim(), request.Kind, address, TerritoryOf(request.TerritoryCodes, a.CommuneInsee),
            request.Sensitive, request.Siret, phone, Blank(request.Email), Blank(request.Website), hours, Blank(request.Description));
    }

    /// <summary>The profile as a request, so that a merge patch applies to exactly what a client would send.</summary>
    public static RegisterBodyRequest ToRequest(BodyProfile p) =>
        new(p.Name, p.Kind, new AddressRequest(p.Address.Line, p.Address.PostalCode, p.Address.CommuneInsee, p.Address.Commune, p.Address.Complement),
            p.TerritoryCodes, p.Sensitive, p.Siret, p.Phone, p.Email, p.Website, p.OpeningHours, p.Description);

    /// <summary>A body that names no territory serves its own commune.</summary>
    public static string[] TerritoryOf(string[]? codes, string? communeInsee) =>
        codes is { Length: > 0 } ? codes.Distinct(StringComparer.Ordinal).ToArray()
        : communeInsee is { } commune && Territory.IsCommune(commune) ? [commune]
        : [];

    private static void Length(Dictionary<string, string[]> errors, string field, string? value, int max)
    {
        if (value is not null && value.Length > max) errors[field] = [$"At most {max} characters."];
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
