using System.Text.Json.Serialization;

namespace Directory.Api.DataInclusion;

// data·inclusion v1 records as the schema spells them (snake_case), for import and export alike.

public sealed record StructureRecord(
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("nom")] string Nom,
    [property: JsonPropertyName("date_maj")] string DateMaj,
    [property: JsonPropertyName("siret")] string? Siret = null,
    [property: JsonPropertyName("telephone")] string? Telephone = null,
    [property: JsonPropertyName("courriel")] string? Courriel = null,
    [property: JsonPropertyName("site_web")] string? SiteWeb = null,
    [property: JsonPropertyName("horaires_accueil")] string? HorairesAccueil = null,
    [property: JsonPropertyName("description")] string? Description = null,
    [property: JsonPropertyName("adresse")] string? Adresse = null,
    [property: JsonPropertyName("complement_adresse")] string? ComplementAdresse = null,
    [property: JsonPropertyName("code_postal")] string? CodePostal = null,
    [property: JsonPropertyName("commune")] string? Commune = null,
    [property: JsonPropertyName("code_insee")] string? CodeInsee = null,
    [property: JsonPropertyName("reseaux_porteurs")] string[]? ReseauxPorteurs = null);

public sealed record ServiceRecord(
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("structure_id")] string StructureId,
    [property: JsonPropertyName("nom")] string Nom,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("date_maj")] string DateMaj,
    [property: JsonPropertyName("type")] string? Type = null,
    [property: JsonPropertyName("thematiques")] string[]? Thematiques = null,
    [property: JsonPropertyName("publics")] string[]? Publics = null,
    [property: JsonPropertyName("modes_accueil")] string[]? ModesAccueil = null,
    [property: JsonPropertyName("zone_eligibilite")] string[]? ZoneEligibilite = null,
    [property: JsonPropertyName("modes_mobilisation")] string[]? ModesMobilisation = null,
    [property: JsonPropertyName("mobilisable_par")] string[]? MobilisablePar = null,
    [property: JsonPropertyName("frais")] string? Frais = null,
    [property: JsonPropertyName("conditions_acces")] string? ConditionsAcces = null,
    [property: JsonPropertyName("contact_nom_prenom")] string? ContactNomPrenom = null,
    [property: JsonPropertyName("courriel")] string? Courriel = null,
    [property: JsonPropertyName("telephone")] string? Telephone = null);

/// <summary>Where a body or service of Directory lives in data·inclusion's id space.</summary>
public static class DataInclusionIds
{
    public const string OwnSource = "coordination";
    private const string OwnPrefix = OwnSource + "--";

    public static string Of(Bodies.SourceRecord? origin, Guid id) => origin?.Id ?? OwnPrefix + id.ToString();

    public static string SourceOf(Bodies.SourceRecord? origin) => origin?.Source ?? OwnSource;

    /// <summary>
    /// The stream of an imported record: one of ours (<c>coordination--&lt;id&gt;</c>, e.g. an export read back)
    /// keeps its id; any other is named from its source and id, so that a re-import finds the same stream.
    /// </summary>
    public static Guid StreamOf(string kind, string source, string id) =>
        IsOwn(source, id, out var own) ? own : Formats.StableIds.From($"data-inclusion/{kind}/{source}/{id}");

    /// <summary>The origin to remember for an imported record: none for one of ours, which exports under its own id again.</summary>
    public static Bodies.SourceRecord? OriginOf(Bodies.SourceRecord key) => IsOwn(key.Source, key.Id, out _) ? null : key;

    private static bool IsOwn(string source, string id, out Guid own)
    {
        own = Guid.Empty;
        return source == OwnSource && id.StartsWith(OwnPrefix, StringComparison.Ordinal) && Guid.TryParse(id.AsSpan(OwnPrefix.Length), out own);
    }
}
