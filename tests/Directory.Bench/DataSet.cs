using System.Text.Json.Nodes;
using Directory.Api.Bodies;
using Directory.Api.DataInclusion;

namespace Directory.Bench;

/// <summary>
/// A synthetic directory in data·inclusion form: bodies spread over 399 communes in each of 94 départements,
/// each serving its commune, with services of one to three thematiques; four services in ten are eligible in
/// their whole département and one in ten in the commune only, which widens where their body is found.
/// </summary>
public sealed class DataSet(int seed)
{
    private readonly Random _random = new(seed);
    private readonly string[] _thematiques = DataInclusionSchemas.Thematiques.Order(StringComparer.Ordinal).ToArray();
    private readonly string[] _publics = DataInclusionSchemas.Publics.Where(p => p != "tous-publics").Order(StringComparer.Ordinal).ToArray();
    private readonly string[] _kinds = BodyKinds.All.Order(StringComparer.Ordinal).ToArray();

    public const string Source = "bench";

    public static readonly string[] Departements = Enumerable.Range(1, 95).Where(d => d != 20).Select(d => d.ToString("00", System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    public string RandomCommune() => Departements[_random.Next(Departements.Length)] + _random.Next(1, 400).ToString("000", System.Globalization.CultureInfo.InvariantCulture);

    public string RandomThematique() =>
        _random.Next(4) == 0 ? DataInclusionSchemas.CategoryOf(_thematiques[_random.Next(_thematiques.Length)]) : _thematiques[_random.Next(_thematiques.Length)];

    public (JsonArray Structures, JsonArray Services) Batch(int firstBody, int bodies, int servicesPerBody)
    {
        var structures = new JsonArray();
        var services = new JsonArray();
        for (var b = firstBody; b < firstBody + bodies; b++)
        {
            var commune = RandomCommune();
            var structureId = $"{Source}--s{b}";
            structures.Add(new JsonObject
            {
                ["source"] = Source, ["id"] = structureId, ["nom"] = $"Structure {b} de la commune {commune}", ["date_maj"] = "2025-02-14",
                ["code_insee"] = commune, ["code_postal"] = commune,
                ["commune"] = "Commune " + commune, ["adresse"] = $"{b % 90 + 1} rue de la République",
                ["reseaux_porteurs"] = new JsonArray(_kinds[_random.Next(_kinds.Length)] is var k && k is not "association" and not "other" ? k : "ccas-cias"),
            });
            for (var s = 0; s < servicesPerBody; s++)
            {
                var thematiques = new JsonArray();
                foreach (var t in Enumerable.Range(0, _random.Next(1, 4)).Select(_ => _thematiques[_random.Next(_thematiques.Length)]).Distinct())
                {
                    thematiques.Add(t);
                }
                var service = new JsonObject
                {
                    ["source"] = Source, ["id"] = $"{Source}--v{b}-{s}", ["structure_id"] = structureId, ["nom"] = $"Service {s} de la structure {b}",
                    ["description"] = "Un service de démonstration pour le banc d'essai.", ["date_maj"] = "2025-02-14",
                    ["thematiques"] = thematiques, ["publics"] = new JsonArray(_publics[_random.Next(_publics.Length)]),
                };
                var zone = _random.Next(10);
                if (zone < 4) service["zone_eligibilite"] = new JsonArray(commune[..2]);
                else if (zone < 5) service["zone_eligibilite"] = new JsonArray(commune);
                services.Add(service);
            }
        }
        return (structures, services);
    }
}
