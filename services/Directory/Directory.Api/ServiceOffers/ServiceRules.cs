using System.ComponentModel.DataAnnotations;
using Directory.Api.Bodies;
using Directory.Api.DataInclusion;
using Directory.Api.Formats;

namespace Directory.Api.ServiceOffers;

/// <summary>A capacity status, with a note and the date it holds from (today when absent).</summary>
public sealed record CapacityRequest(CapacityStatus? Status, string? Note = null, DateOnly? AsOf = null)
{
    public static Dictionary<string, string[]> Validate(CapacityRequest request, string prefix = "")
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Status is null) errors[prefix + "status"] = ["Required: available, waitlist or full."];
        if (request.Note is { Length: > 500 }) errors[prefix + "note"] = ["At most 500 characters."];
        return errors;
    }
}

/// <summary>
/// A service as clients write it. data·inclusion vocabulary fields keep their data·inclusion names
/// (camelCased); the contact fields use the same English names as a body's.
/// </summary>
public sealed record ListServiceRequest(
    [property: Required] string Name,
    [property: Required] string Description,
    string? Type = null,
    string[]? Thematiques = null,
    string[]? Publics = null,
    string[]? ModesAccueil = null,
    string[]? ZoneEligibilite = null,
    string[]? ModesMobilisation = null,
    string[]? MobilisablePar = null,
    string? Frais = null,
    string? ConditionsAcces = null,
    string? ContactName = null,
    string? Email = null,
    string? Phone = null,
    CapacityRequest? Capacity = null);

public static class ServiceRules
{
    public const string AllPublics = "tous-publics";

    public static Dictionary<string, string[]> Validate(ListServiceRequest r)
    {
        var errors = new Dictionary<string, string[]>();
        var name = r.Name?.Trim();
        if (string.IsNullOrEmpty(name)) errors["name"] = ["Required."];
        else if (name.Length is < 3 or > 150) errors["name"] = ["Between 3 and 150 characters."];
        var description = r.Description?.Trim();
        if (string.IsNullOrEmpty(description)) errors["description"] = ["Required."];
        else if (description.Length is < 5 or > 10_000) errors["description"] = ["Between 5 and 10 000 characters."];

        if (r.Type is { } type && !DataInclusionSchemas.TypesDeService.Contains(type)) errors["type"] = ["A data·inclusion type de service."];
        if (r.Frais is { } frais && !DataInclusionSchemas.Frais.Contains(frais)) errors["frais"] = ["gratuit or payant."];
        Vocabulary(errors, "thematiques", r.Thematiques, DataInclusionSchemas.Thematiques, "a data·inclusion thematique");
        Vocabulary(errors, "publics", r.Publics, DataInclusionSchemas.Publics, "a data·inclusion public");
        if (r.Publics is { Length: > 1 } publics && publics.Contains(AllPublics)) errors["publics"] = ["'tous-publics' stands alone."];
        Vocabulary(errors, "modesAccueil", r.ModesAccueil, DataInclusionSchemas.ModesAccueil, "a-distance or en-presentiel");
        Vocabulary(errors, "modesMobilisation", r.ModesMobilisation, DataInclusionSchemas.ModesMobilisation, "a data·inclusion mode de mobilisation");
        Vocabulary(errors, "mobilisablePar", r.MobilisablePar, DataInclusionSchemas.PersonnesMobilisatrices, "usagers or professionnels");

        var zone = r.ZoneEligibilite ?? [];
        for (var i = 0; i < zone.Length; i++)
        {
            if (!IsZoneCode(zone[i])) errors[$"zoneEligibilite[{i}]"] = ["An INSEE commune, département or EPCI (9 digits) code, or 'france'."];
        }
        if (zone.Length > 1000) errors["zoneEligibilite"] = ["At most 1000 codes."];

        if (r.ConditionsAcces is { Length: > 2000 }) errors["conditionsAcces"] = ["At most 2000 characters."];
        if (r.ContactName is { Length: > 150 }) errors["contactName"] = ["At most 150 characters."];
        if (r.Email is { } email && !Contacts.IsEmail(email)) errors["email"] = ["A valid email address."];
        if (r.Phone is { } phone && !Contacts.TryNormalizePhone(phone, out _)) errors["phone"] = ["A valid phone number, in E.164 (+33468903030) or French national form."];
        if (r.Capacity is { } capacity)
        {
            foreach (var (field, messages) in CapacityRequest.Validate(capacity, "capacity.")) errors[field] = messages;
        }
        return errors;
    }

    public static bool IsZoneCode(string? code) =>
        code is not null && (Territory.IsCommune(code) || Territory.IsDepartement(code) || code == "france" || code == "99100"
            || (code.Length == 9 && code.All(char.IsAsciiDigit)));

    public static ServiceFields ToFields(ListServiceRequest r) => new(
        r.Name.Trim(), r.Description.Trim(), r.Type, Distinct(r.Thematiques), Distinct(r.Publics), Distinct(r.ModesAccueil),
        Distinct(r.ZoneEligibilite), Distinct(r.ModesMobilisation), Distinct(r.MobilisablePar), r.Frais, Blank(r.ConditionsAcces),
        Blank(r.ContactName), Blank(r.Email), r.Phone is { } p && Contacts.TryNormalizePhone(p, out var e164) ? e164 : null);

    public static ListServiceRequest ToRequest(ServiceFields f) => new(
        f.Name, f.Description, f.Type, f.Thematiques, f.Publics, f.ModesAccueil, f.ZoneEligibilite, f.ModesMobilisation,
        f.MobilisablePar, f.Frais, f.ConditionsAcces, f.ContactName, f.Email, f.Phone);

    public static bool Same(ServiceFields a, ServiceFields b) =>
        a.Name == b.Name && a.Description == b.Description && a.Type == b.Type && a.Frais == b.Frais
        && a.ConditionsAcces == b.ConditionsAcces && a.ContactName == b.ContactName && a.Email == b.Email && a.Phone == b.Phone
        && a.Thematiques.SequenceEqual(b.Thematiques) && a.Publics.SequenceEqual(b.Publics) && a.ModesAccueil.SequenceEqual(b.ModesAccueil)
        && a.ZoneEligibilite.SequenceEqual(b.ZoneEligibilite) && a.ModesMobilisation.SequenceEqual(b.ModesMobilisation)
        && a.MobilisablePar.SequenceEqual(b.MobilisablePar);

    private static void Vocabulary(Dictionary<string, string[]> errors, string field, string[]? values, IReadOnlySet<string> known, string what)
    {
        if (values is null) return;
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is not { } v || !known.Contains(v)) errors[$"{field}[{i}]"] = [$"Unknown value: {what}."];
        }
    }

    private static string[] Distinct(string[]? values) => values is null ? [] : values.Distinct(StringComparer.Ordinal).ToArray();

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
