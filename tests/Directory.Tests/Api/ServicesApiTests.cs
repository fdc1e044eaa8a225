using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace Directory.Tests.Api;

[Collection(DirectoryCollection.Name)]
public sealed class ServicesApiTests(DirectoryFixture fixture) : ApiTest(fixture)
{
    private const string Numerique = "numerique--acceder-a-des-services-en-ligne";

    private static object Service(string? name = null, string[]? zone = null, string[]? publics = null, string[]? thematiques = null) => new
    {
        name = name ?? Unique("Aide aux démarches en ligne"),
        description = "Accompagnement aux démarches administratives en ligne.",
        type = "accompagnement",
        thematiques = thematiques ?? [Numerique],
        publics = publics ?? ["tous-publics"],
        modesAccueil = new[] { "en-presentiel" },
        zoneEligibilite = zone,
        modesMobilisation = new[] { "se-presenter", "telephoner" },
        mobilisablePar = new[] { "usagers", "professionnels" },
        frais = "gratuit",
        conditionsAcces = "Sur rendez-vous",
        contactName = "Accueil",
        email = "accueil@ccas.example.fr",
        phone = "+33468000000",
    };

    private async Task<(Guid Body, Guid Service)> NewService(object? service = null, Guid? body = null)
    {
        var bodyId = body ?? await NewBody();
        using var admin = await Admin();
        var created = await Json(await Send(admin, HttpMethod.Post, $"bodies/{bodyId}/services", service ?? Service()), HttpStatusCode.Created);
        return (bodyId, created["id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task List_AnswersCreated_AndTheServiceReadsBackAvailable()
    {
        var bodyId = await NewBody();
        using var admin = await Admin();
        var response = await Send(admin, HttpMethod.Post, $"bodies/{bodyId}/services", Service("Aide aux démarches en ligne"));
        var id = (await Json(response, HttpStatusCode.Created))["id"]!.GetValue<Guid>();
        Assert.Equal($"/bodies/{bodyId}/services/{id}", response.Headers.Location!.ToString());

        var (read, service) = await Get(admin, $"bodies/{bodyId}/services/{id}");
        Assert.Equal("\"1\"", ETag(read));
        Assert.Equal("Aide aux démarches en ligne", service["name"]!.GetValue<string>());
        Assert.Equal("available", service["capacity"]!["status"]!.GetValue<string>());
        Assert.Equal(Numerique, service["thematiques"]![0]!.GetValue<string>());

        var (_, page) = await Get(admin, $"bodies/{bodyId}/services");
        Assert.Equal(1, page["total"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("""{"name":"Aide","description":"Une aide en ligne","thematiques":["logement"]}""", "thematiques[0]")]
    [InlineData("""{"name":"Aide","description":"Une aide en ligne","type":"conseil"}""", "type")]
    [InlineData("""{"name":"Aide","description":"Une aide en ligne","publics":["tous-publics","femmes"]}""", "publics")]
    [InlineData("""{"name":"Aide","description":"Une aide en ligne","zoneEligibilite":["11","Narbonne"]}""", "zoneEligibilite[1]")]
    [InlineData("""{"name":"Aide","description":"Une aide en ligne","capacity":{"status":"closed"}}""", "capacity.status")]
    [InlineData("""{"name":"Aide","description":"Une aide en ligne","frais":"libre"}""", "frais")]
    [InlineData("""{"name":"Aide","description":"abc"}""", "description")]
    [InlineData("""{"name":"Aide"}""", "description")]
    [InlineData("""{"name":"Aide","description":"Une aide en ligne","thematiques":"numerique"}""", "thematiques")]
    public async Task List_WithABadField_Answers400NamingIt(string json, string field)
    {
        var bodyId = await NewBody();
        using var admin = await Admin();
        await AssertInvalid(await Send(admin, HttpMethod.Post, $"bodies/{bodyId}/services", json), field);
    }

    [Fact]
    public async Task List_OnAnUnknownBody_Answers404_AndForAnotherBodysCoordinator403()
    {
        using var admin = await Admin();
        await AssertProblem(await Send(admin, HttpMethod.Post, $"bodies/{Guid.CreateVersion7()}/services", Service()), HttpStatusCode.NotFound);
        using var coordinator = await As(Coordinator);
        await AssertProblem(await Send(coordinator, HttpMethod.Post, $"bodies/{Caf}/services", Service()), HttpStatusCode.Forbidden);
        await Json(await Send(coordinator, HttpMethod.Post, $"bodies/{Ccas}/services", Service()), HttpStatusCode.Created);
    }

    [Fact]
    public async Task List_IdempotencyKeyReplay_GivesTheSameServiceOnce()
    {
        var bodyId = await NewBody();
        using var admin = await Admin();
        var key = Guid.NewGuid().ToString();
        var body = Service();
        var first = await Json(await Send(admin, HttpMethod.Post, $"bodies/{bodyId}/services", body, idempotencyKey: key), HttpStatusCode.Created);
        var second = await Json(await Send(admin, HttpMethod.Post, $"bodies/{bodyId}/services", body, idempotencyKey: key), HttpStatusCode.Created);
        Assert.Equal(first["id"]!.GetValue<Guid>(), second["id"]!.GetValue<Guid>());
        var (_, page) = await Get(admin, $"bodies/{bodyId}/services");
        Assert.Equal(1, page["total"]!.GetValue<long>());
        await AssertProblem(await Send(admin, HttpMethod.Post, $"bodies/{bodyId}/services", Service(), idempotencyKey: key), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Patch_ChangesTheService_WithIfMatch()
    {
        var (bodyId, id) = await NewService();
        using var admin = await Admin();
        var url = $"bodies/{bodyId}/services/{id}";
        await AssertProblem(await Send(admin, HttpMethod.Patch, url, """{"frais":"payant"}"""), HttpStatusCode.PreconditionRequired);
        var response = await Send(admin, HttpMethod.Patch, url, """{"frais":"payant","conditionsAcces":null}""", ifMatch: "\"1\"");
        var service = await Json(response, HttpStatusCode.OK);
        Assert.Equal("\"2\"", ETag(response));
        Assert.Equal("payant", service["frais"]!.GetValue<string>());
        Assert.Null(service["conditionsAcces"]);
        await AssertProblem(await Send(admin, HttpMethod.Patch, url, """{"frais":"gratuit"}""", ifMatch: "\"1\""), HttpStatusCode.PreconditionFailed);
        await AssertInvalid(await Send(admin, HttpMethod.Patch, url, """{"publics":["enfants"]}""", ifMatch: "\"2\""), "publics[0]");
        await AssertProblem(await Send(admin, HttpMethod.Patch, $"bodies/{Caf}/services/{id}", """{"frais":"gratuit"}""", ifMatch: "\"2\""), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Capacity_IsSetWithIfMatch_AndPublishedAsItsOwnEvent()
    {
        var (bodyId, id) = await NewService();
        using var admin = await Admin();
        var url = $"bodies/{bodyId}/services/{id}/capacity";
        await AssertProblem(await Send(admin, HttpMethod.Put, url, new { status = "full" }), HttpStatusCode.PreconditionRequired);
        await AssertInvalid(await Send(admin, HttpMethod.Put, url, """{"status":"closed"}""", ifMatch: "\"1\""), "status");
        await AssertInvalid(await Send(admin, HttpMethod.Put, url, """{"note":"Complet"}""", ifMatch: "\"1\""), "status");
        var response = await Send(admin, HttpMethod.Put, url, new { status = "waitlist", note = "Trois semaines d'attente", asOf = "2025-09-01" }, ifMatch: "\"1\"");
        var service = await Json(response, HttpStatusCode.OK);
        Assert.Equal("\"2\"", ETag(response));
        Assert.Equal("waitlist", service["capacity"]!["status"]!.GetValue<string>());
        Assert.Equal("2025-09-01", service["capacity"]!["asOf"]!.GetValue<string>());
        await AssertProblem(await Send(admin, HttpMethod.Put, url, new { status = "full" }, ifMatch: "\"1\""), HttpStatusCode.PreconditionFailed);
        await AssertProblem(await Send(admin, HttpMethod.Put, $"bodies/{bodyId}/services/{Guid.CreateVersion7()}/capacity", new { status = "full" }, ifMatch: "\"1\""),
            HttpStatusCode.NotFound);
        var events = await Fixture.Database.Scalar<long>($"select count(*) from directory.mt_events where stream_id = '{id}' and type = 'service_capacity_changed'");
        Assert.Equal(1, events);
    }

    [Fact]
    public async Task Search_ByCommuneThematiqueAndPublics_FindsServicesByTheirZoneOrTheirBodysTerritory()
    {
        // A commune of its own (Ajaccio) so that other tests' services do not get in the way.
        var bodyInAjaccio = await NewBody(new { name = Unique("CCAS d'Ajaccio"), kind = "ccas-cias", address = new { communeInsee = "2A004" } });
        var bodyElsewhere = await NewBody(new { name = Unique("CCAS de Lyon"), kind = "ccas-cias", address = new { communeInsee = "69123" } });
        var thematique = "logement-hebergement--reduire-les-impayes-de-loyer";
        var (_, byBody) = await NewService(Service("Impayés de loyer (Ajaccio)", thematiques: [thematique], publics: ["familles"]), bodyInAjaccio);
        var (_, byZone) = await NewService(Service("Impayés de loyer (Corse-du-Sud)", zone: ["2A"], thematiques: [thematique]), bodyElsewhere);
        var (_, national) = await NewService(Service("Impayés de loyer (national)", zone: ["france"], thematiques: [thematique], publics: ["seniors"]), bodyElsewhere);
        var (_, notThere) = await NewService(Service("Impayés de loyer (Lyon)", thematiques: [thematique]), bodyElsewhere);

        using var worker = await As(SocialWorker);
        var found = await Ids(worker, $"services?commune=2A004&thematique={thematique}&pageSize=100");
        Assert.Contains(byBody, found);
        Assert.Contains(byZone, found);
        Assert.Contains(national, found);
        Assert.DoesNotContain(notThere, found);

        var families = await Ids(worker, $"services?commune=2A004&thematique={thematique}&publics=familles&pageSize=100");
        Assert.Contains(byBody, families);
        Assert.Contains(byZone, families); // tous-publics serves families too
        Assert.DoesNotContain(national, families);

        var byCategory = await Ids(worker, "services?commune=2A004&thematique=logement-hebergement&pageSize=100");
        Assert.Contains(byBody, byCategory);
    }

    [Theory]
    [InlineData("services?commune=2C004", "commune")]
    [InlineData("services?thematique=logement", "thematique")]
    [InlineData("services?publics=enfants", "publics")]
    [InlineData("services?pageSize=101", "pageSize")]
    [InlineData("services?page=0", "page")]
    public async Task Search_WithABadParameter_Answers400NamingIt(string url, string field)
    {
        using var worker = await As(SocialWorker);
        await AssertInvalid(await worker.GetAsync(new Uri(url, UriKind.Relative)), field);
    }

    private async Task<List<Guid>> Ids(HttpClient client, string url)
    {
        var (_, page) = await Get(client, url);
        return page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<Guid>()).ToList();
    }

    internal static JsonArray Items(JsonNode page) => page["items"]!.AsArray();
}
