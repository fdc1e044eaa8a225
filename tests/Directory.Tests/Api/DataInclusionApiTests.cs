using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Directory.Api;
using Json.Schema;
using Xunit;

namespace Directory.Tests.Api;

[Collection(DirectoryCollection.Name)]
public sealed class DataInclusionApiTests(DirectoryFixture fixture) : ApiTest(fixture)
{
    private static JsonObject Structure(string source, string id, object? extra = null)
    {
        var record = new JsonObject
        {
            ["source"] = source, ["id"] = id, ["nom"] = "Centre social " + id[^4..], ["date_maj"] = "2025-02-14",
            ["siret"] = "13003013300016", ["code_insee"] = "11262", ["commune"] = "Narbonne", ["code_postal"] = "11100",
            ["adresse"] = "2 rue Mirabeau", ["telephone"] = "+33468000000", ["courriel"] = "contact@centre.example.fr",
            ["horaires_accueil"] = "Mo-Fr 09:00-12:00", ["reseaux_porteurs"] = new JsonArray("fcsf", "communes"),
        };
        if (extra is not null)
        {
            foreach (var (k, v) in JsonSerializer.SerializeToNode(extra)!.AsObject()) record[k] = v?.DeepClone();
        }
        return record;
    }

    private static JsonObject Service(string source, string id, string structureId, object? extra = null)
    {
        var record = new JsonObject
        {
            ["source"] = source, ["id"] = id, ["structure_id"] = structureId, ["nom"] = "Aide aux démarches",
            ["description"] = "Accompagnement aux démarches administratives.", ["date_maj"] = "2025-02-14",
            ["type"] = "accompagnement", ["thematiques"] = new JsonArray("difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives"),
            ["publics"] = new JsonArray("tous-publics"), ["zone_eligibilite"] = new JsonArray("11"), ["frais"] = "gratuit",
        };
        if (extra is not null)
        {
            foreach (var (k, v) in JsonSerializer.SerializeToNode(extra)!.AsObject()) record[k] = v?.DeepClone();
        }
        return record;
    }

    private async Task<JsonNode> Import(JsonArray structures, JsonArray services, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var admin = await Admin();
        var payload = new JsonObject { ["structures"] = structures, ["services"] = services };
        return await Json(await Send(admin, HttpMethod.Post, "imports/data-inclusion", payload.ToJsonString()), expected);
    }

    [Fact]
    public async Task Import_ValidInvalidWarnedAndReimportedRecords()
    {
        var src = "dora-" + Guid.NewGuid().ToString("N")[..8];
        var valid = $"{src}--valid";
        var warned = $"{src}--warned";
        var invalid = $"{src}--invalid";
        JsonArray Structures() =>
        [
            Structure(src, valid),
            Structure(src, warned, new { siret = "13003013300017", horaires_accueil = "Mo-Fr 9h-12h", code_insee = (string?)null }),
            Structure(src, invalid, new { nom = new string('a', 151) }),
        ];
        JsonArray Services() =>
        [
            Service(src, $"{src}--svc-ok", valid),
            Service(src, $"{src}--svc-orphan", $"{src}--nowhere"),
            Service(src, $"{src}--svc-of-invalid", invalid),
            Service(src, $"{src}--svc-bad", valid, new { thematiques = new[] { "logement" } }),
        ];

        var report = await Import(Structures(), Services());
        Assert.Equal(3, report["created"]!.GetValue<int>()); // two structures, one service
        Assert.Equal(0, report["updated"]!.GetValue<int>());
        Assert.Equal(0, report["unchanged"]!.GetValue<int>());
        var rejected = report["rejected"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(new[] { invalid, $"{src}--svc-bad", $"{src}--svc-of-invalid", $"{src}--svc-orphan" }.Order(), rejected);
        Assert.All(report["rejected"]!.AsArray(), r => Assert.NotEmpty(r!["errors"]!.AsArray()));
        var warnings = report["warnings"]!.AsArray().Select(w => (w!["id"]!.GetValue<string>(), w["field"]!.GetValue<string>())).ToList();
        Assert.Equal([(warned, "siret"), (warned, "horaires_accueil"), (warned, "code_insee")], warnings);

        // Again: nothing created, nothing changed, the same verdicts.
        var again = await Import(Structures(), Services());
        Assert.Equal((0, 0, 3), (again["created"]!.GetValue<int>(), again["updated"]!.GetValue<int>(), again["unchanged"]!.GetValue<int>()));
        Assert.Equal(4, again["rejected"]!.AsArray().Count);
        var bodies = await Fixture.Database.Scalar<long>(
            $"select count(*) from directory.mt_doc_bodydetails where data -> 'origin' ->> 'source' = '{src}'");
        Assert.Equal(2, bodies);

        // A changed record is an update of the same body.
        var changed = await Import([Structure(src, valid, new { nom = "Centre social Les Floralies" })], []);
        Assert.Equal((0, 1, 0), (changed["created"]!.GetValue<int>(), changed["updated"]!.GetValue<int>(), changed["unchanged"]!.GetValue<int>()));

        using var worker = await As(SocialWorker);
        var (_, found) = await Get(worker, "bodies?q=Centre%20social%20Les%20Floralies&commune=11262");
        var body = Assert.Single(found["items"]!.AsArray())!;
        Assert.Equal("fcsf", body["kind"]!.GetValue<string>()); // the first of its reseaux_porteurs
    }

    [Fact]
    public async Task Import_ServiceOfAStructureImportedEarlier_IsAccepted()
    {
        var src = "emplois-" + Guid.NewGuid().ToString("N")[..8];
        await Import([Structure(src, $"{src}--s1")], []);
        var report = await Import([], [Service(src, $"{src}--svc", $"{src}--s1")]);
        Assert.Equal(1, report["created"]!.GetValue<int>());
        Assert.Empty(report["rejected"]!.AsArray());
    }

    [Fact]
    public async Task Import_IsForAdministrators_AndNeedsArrays()
    {
        using var coordinator = await As(Coordinator);
        await AssertProblem(await Send(coordinator, HttpMethod.Post, "imports/data-inclusion", """{"structures":[],"services":[]}"""), HttpStatusCode.Forbidden);
        using var admin = await Admin();
        await AssertInvalid(await Send(admin, HttpMethod.Post, "imports/data-inclusion", """{"structures":{}}"""), "structures");
        await AssertInvalid(await Send(admin, HttpMethod.Post, "imports/data-inclusion", """[]"""), "$");
        await AssertInvalid(await Send(admin, HttpMethod.Post, "imports/data-inclusion", "{\"structures\":["), "$");
    }

    [Fact]
    public async Task Export_IsValidAgainstTheSchemaFiles_AndNamesOurBodiesCoordination()
    {
        var ours = await NewBody(new
        {
            name = Unique("Mission locale du Narbonnais"), kind = "mission-locale", siret = "13003013300016", phone = "0468000000",
            email = "contact@ml.example.fr", website = "https://ml.example.fr", openingHours = "Mo-Fr 09:00-17:00; PH off",
            description = "Accompagnement des jeunes de 16 à 25 ans.",
            address = new { line = "1 rue du Pont", postalCode = "11100", communeInsee = "11262", commune = "Narbonne" },
        });
        var association = await NewBody();
        using var admin = await Admin();
        await Json(await Send(admin, HttpMethod.Post, $"bodies/{ours}/services", new
        {
            name = "Garantie jeunes", description = "Un accompagnement intensif vers l'emploi.", thematiques = Array.Empty<string>(),
            publics = new[] { "jeunes" }, zoneEligibilite = new[] { "11", "200035715" },
        }), HttpStatusCode.Created);
        var src = "dora-" + Guid.NewGuid().ToString("N")[..8];
        await Import([Structure(src, $"{src}--x")], [Service(src, $"{src}--y", $"{src}--x")]);

        var (_, structures) = await Get(admin, "exports/data-inclusion/structures");
        var (_, services) = await Get(admin, "exports/data-inclusion/services");
        var structureSchema = Schema("structure");
        var serviceSchema = Schema("service");
        Assert.All(structures.AsArray(), s => AssertValid(structureSchema, s!));
        Assert.All(services.AsArray(), s => AssertValid(serviceSchema, s!));

        var mine = structures.AsArray().Single(s => s!["id"]!.GetValue<string>() == $"coordination--{ours}")!;
        Assert.Equal("coordination", mine["source"]!.GetValue<string>());
        Assert.Equal(["mission-locale"], mine["reseaux_porteurs"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("+33468000000", mine["telephone"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", mine["date_maj"]!.GetValue<string>());
        var assoc = structures.AsArray().Single(s => s!["id"]!.GetValue<string>() == $"coordination--{association}")!;
        Assert.Null(assoc["reseaux_porteurs"]);
        Assert.Contains(structures.AsArray(), s => s!["id"]!.GetValue<string>() == $"{src}--x" && s["source"]!.GetValue<string>() == src);

        var service = services.AsArray().Single(s => s!["structure_id"]!.GetValue<string>() == $"coordination--{ours}")!;
        Assert.StartsWith("coordination--", service["id"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(service["thematiques"]);
        Assert.Contains(services.AsArray(), s => s!["id"]!.GetValue<string>() == $"{src}--y" && s["structure_id"]!.GetValue<string>() == $"{src}--x");
    }

    [Fact]
    public async Task Export_ThenImportAgain_ChangesNothing()
    {
        var id = await NewBody(new { name = Unique("Restos du coeur"), kind = "restos-du-coeur", address = new { communeInsee = "11262", postalCode = "11100" } });
        using var admin = await Admin();
        var (_, structures) = await Get(admin, "exports/data-inclusion/structures");
        var mine = structures.AsArray().Single(s => s!["id"]!.GetValue<string>() == $"coordination--{id}")!.DeepClone();
        var report = await Import([mine], []);
        Assert.Equal((0, 0, 1), (report["created"]!.GetValue<int>(), report["updated"]!.GetValue<int>(), report["unchanged"]!.GetValue<int>()));
    }

    /// <summary>The schema files as shipped (embedded in the service), read here with JsonSchema.Net directly.</summary>
    private static JsonSchema Schema(string name)
    {
        using var stream = typeof(DirectoryApi).Assembly.GetManifestResourceStream($"Directory.Api.DataInclusion.schemas.v1.{name}.json")!;
        using var reader = new StreamReader(stream);
        return JsonSchema.FromText(reader.ReadToEnd(), new BuildOptions { SchemaRegistry = new SchemaRegistry() }, new Uri($"https://test.local/{name}.json"));
    }

    private static void AssertValid(JsonSchema schema, JsonNode record)
    {
        var result = schema.Evaluate(JsonSerializer.SerializeToElement(record), new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        Assert.True(result.IsValid, $"{record.ToJsonString()} is not valid: " +
            string.Join("; ", (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
    }
}
