using System.Text.Json;
using Directory.Api.Bodies;
using Directory.Api.Formats;
using Directory.Api.ServiceOffers;

namespace Directory.Api.DataInclusion.Importing;

public sealed record ImportRejection(string Id, IReadOnlyList<string> Errors);

public sealed record ImportWarning(string Id, string Field);

public sealed record MappedStructure(SourceRecord Key, BodyProfile Profile, IReadOnlyList<string> Warnings);

public sealed record MappedService(SourceRecord Key, SourceRecord StructureKey, ServiceFields Fields, IReadOnlyList<string> Warnings);

/// <summary>
/// From a data·inclusion record to Directory's terms, with no I/O: the official schema decides what is
/// rejected; what Directory would refuse through its API but data·inclusion accepts (a wrong SIRET key,
/// opening hours outside the subset, a missing or non-INSEE code_insee, a phone it cannot read) is kept as
/// given and reported as a warning.
/// </summary>
public static class DataInclusionMapping
{
    private static readonly JsonSerializerOptions Json = new();

    /// <summary>The id to report a record under: its own when it has a readable one, else its position.</summary>
    public static string IdOf(JsonElement record, string position) =>
        record.ValueKind == JsonValueKind.Object && record.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
            ? id.GetString()! : position;

    public static (MappedStructure? Mapped, IReadOnlyList<string> Errors) Structure(JsonElement record)
    {
        var errors = DataInclusionSchemas.Errors(DataInclusionSchemas.StructureSchema, record);
        if (errors.Count > 0) return (null, errors);
        var r = record.Deserialize<StructureRecord>(Json)!;

        var warnings = new List<string>();
        if (r.Siret is { } siret && !Siret.IsValid(siret)) warnings.Add("siret");
        var hours = r.HorairesAccueil;
        if (hours is not null)
        {
            if (OpeningHours.TryParse(hours, out var rules, out _)) hours = OpeningHours.Normalize(rules);
            else warnings.Add("horaires_accueil");
        }
        if (r.CodeInsee is not { } insee || !Territory.IsCommune(insee)) warnings.Add("code_insee");
        var phone = Phone(r.Telephone, warnings);

        var kind = r.ReseauxPorteurs?.FirstOrDefault(BodyKinds.ReseauxPorteurs.Contains) ?? BodyKinds.Other;
        var address = new Address(Blank(r.Adresse), r.CodePostal, r.CodeInsee, Blank(r.Commune), Blank(r.ComplementAdresse));
        var profile = new BodyProfile(r.Nom, kind, address, BodyRules.TerritoryOf(null, r.CodeInsee), Sensitive: false, r.Siret, phone,
            r.Courriel, r.SiteWeb, hours, r.Description);
        return (new MappedStructure(new SourceRecord(r.Source, r.Id), profile, warnings), []);
    }

    public static (MappedService? Mapped, IReadOnlyList<string> Errors) Service(JsonElement record)
    {
        var errors = DataInclusionSchemas.Errors(DataInclusionSchemas.ServiceSchema, record);
        if (errors.Count > 0) return (null, errors);
        var r = record.Deserialize<ServiceRecord>(Json)!;

        var warnings = new List<string>();
        var phone = Phone(r.Telephone, warnings);
        var fields = new ServiceFields(r.Nom, r.Description, r.Type, r.Thematiques ?? [], r.Publics ?? [], r.ModesAccueil ?? [],
            r.ZoneEligibilite ?? [], r.ModesMobilisation ?? [], r.MobilisablePar ?? [], r.Frais, Blank(r.ConditionsAcces),
            Blank(r.ContactNomPrenom), r.Courriel, phone);
        return (new MappedService(new SourceRecord(r.Source, r.Id), new SourceRecord(r.Source, r.StructureId), fields, warnings), []);
    }

    /// <summary>Import only replaces what data·inclusion describes: whether a body is sensitive, and a territory set here, stay.</summary>
    public static BodyProfile Merge(BodyProfile current, BodyProfile imported) => imported with
    {
        Sensitive = current.Sensitive,
        TerritoryCodes = current.TerritoryCodes.Length > 0 ? current.TerritoryCodes : imported.TerritoryCodes,
    };

    private static string? Phone(string? text, List<string> warnings)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (Contacts.TryNormalizePhone(text, out var e164)) return e164;
        warnings.Add("telephone");
        return text;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
