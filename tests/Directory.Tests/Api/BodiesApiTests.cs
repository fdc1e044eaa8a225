using System.Net;
using Xunit;

namespace Directory.Tests.Api;

[Collection(DirectoryCollection.Name)]
public sealed class BodiesApiTests(DirectoryFixture fixture) : ApiTest(fixture)
{
    private static object ValidBody(string? name = null) => new
    {
        name = name ?? Unique("Maison des solidarités"),
        kind = "maisons-des-solidarites",
        siret = "13003013300016",
        phone = "04 68 90 30 30",
        email = "accueil@solidarites.example.fr",
        website = "https://solidarites.example.fr",
        openingHours = "Mo-Fr 08:30-12:00;PH off",
        description = "Accueil, information et orientation.",
        address = new { line = "12 rue Jean Jaurès", postalCode = "11100", communeInsee = "11262", commune = "Narbonne" },
        territoryCodes = new[] { "11262", "11" },
    };

    [Fact]
    public async Task Register_AnswersCreatedWithLocationAndETag_AndTheBodyReadsBackNormalised()
    {
        using var admin = await Admin();
        var response = await Send(admin, HttpMethod.Post, "bodies", ValidBody("Maison des solidarités de Narbonne"));
        var id = (await Json(response, HttpStatusCode.Created))["id"]!.GetValue<Guid>();
        Assert.Equal($"/bodies/{id}", response.Headers.Location!.ToString());
        Assert.Equal("\"1\"", ETag(response));

        var (read, body) = await Get(admin, $"bodies/{id}");
        Assert.Equal("\"1\"", ETag(read));
        Assert.Equal("Maison des solidarités de Narbonne", body["name"]!.GetValue<string>());
        Assert.Equal("+33468903030", body["phone"]!.GetValue<string>());
        Assert.Equal("Mo-Fr 08:30-12:00; PH off", body["openingHours"]!.GetValue<string>());
        Assert.Equal("11262", body["address"]!["communeInsee"]!.GetValue<string>());
        Assert.Equal(1, body["version"]!.GetValue<long>());
    }

    public static TheoryData<string, string> InvalidBodies() => new()
    {
        { """{"name":"Centre social","kind":"association","siret":"13003013300017","address":{"communeInsee":"11262"}}""", "siret" },
        { """{"name":"Centre social","kind":"association","address":{"communeInsee":"1126"}}""", "address.communeInsee" },
        { """{"name":"Centre social","kind":"association"}""", "address.communeInsee" },
        { """{"name":"Centre social","kind":"mairie","address":{"communeInsee":"11262"}}""", "kind" },
        { $$$"""{"name":"{{{new string('a', 151)}}}","kind":"association","address":{"communeInsee":"11262"}}""", "name" },
        { """{"name":"Centre social.","kind":"association","address":{"communeInsee":"11262"}}""", "name" },
        { """{"kind":"association","address":{"communeInsee":"11262"}}""", "name" },
        { """{"name":null,"kind":"association","address":{"communeInsee":"11262"}}""", "name" },
        { """{"name":"Centre social","kind":"association","sensitive":"yes","address":{"communeInsee":"11262"}}""", "sensitive" },
        { """{"name":"Centre social","kind":"association","territoryCodes":"11","address":{"communeInsee":"11262"}}""", "territoryCodes" },
        { """{"name":"Centre social","kind":"association","territoryCodes":["11","2C"],"address":{"communeInsee":"11262"}}""", "territoryCodes[1]" },
        { """{"name":"Centre social","kind":"association","phone":"123","address":{"communeInsee":"11262"}}""", "phone" },
        { """{"name":"Centre social","kind":"association","openingHours":"lundi 9h-12h","address":{"communeInsee":"11262"}}""", "openingHours" },
        { """{"name":"Centre social","kind":"association","address":{"communeInsee":11262}}""", "address.communeInsee" },
        { """{"name":"Centre social","kind":""", "kind" }, // truncated: the field where reading stopped
        { "not json at all", "$" },
        { """[1,2]""", "$" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Register_WithABadField_Answers400NamingIt(string json, string field)
    {
        using var admin = await Admin();
        await AssertInvalid(await Send(admin, HttpMethod.Post, "bodies", json), field);
    }

    [Fact]
    public async Task Register_BodyOverTheSizeLimit_Answers413()
    {
        using var admin = await Admin();
        var huge = $$$"""{"name":"Centre social","kind":"association","description":"{{{new string('x', 1_100_000)}}}","address":{"communeInsee":"11262"}}""";
        await AssertProblem(await Send(admin, HttpMethod.Post, "bodies", huge), HttpStatusCode.RequestEntityTooLarge);
    }

    [Theory]
    [InlineData(Coordinator)]
    [InlineData(SocialWorker)]
    public async Task Register_ByANonAdmin_Answers403(string login)
    {
        using var client = await As(login);
        await AssertProblem(await Send(client, HttpMethod.Post, "bodies", ValidBody()), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Register_SameIdempotencyKeyAndBody_GivesTheFirstAnswerAndOneBody()
    {
        using var admin = await Admin();
        var key = Guid.NewGuid().ToString();
        var name = Unique("Épicerie solidaire");
        var first = await Json(await Send(admin, HttpMethod.Post, "bodies", ValidBody(name), idempotencyKey: key), HttpStatusCode.Created);
        var again = await Send(admin, HttpMethod.Post, "bodies", ValidBody(name), idempotencyKey: key);
        var second = await Json(again, HttpStatusCode.Created);

        Assert.Equal(first["id"]!.GetValue<Guid>(), second["id"]!.GetValue<Guid>());
        Assert.True(again.Headers.Contains("Idempotent-Replayed"));
        var streams = await Fixture.Database.Scalar<long>(
            $"select count(*) from directory.mt_events where type = 'body_registered' and data ->> 'name' = '{name}'");
        Assert.Equal(1, streams);
    }

    [Fact]
    public async Task Register_SameIdempotencyKeyWithAnotherBody_Answers409()
    {
        using var admin = await Admin();
        var key = Guid.NewGuid().ToString();
        await Json(await Send(admin, HttpMethod.Post, "bodies", ValidBody(), idempotencyKey: key), HttpStatusCode.Created);
        await AssertProblem(await Send(admin, HttpMethod.Post, "bodies", ValidBody(), idempotencyKey: key), HttpStatusCode.Conflict, "idempotency-key-reused");
    }

    [Fact]
    public async Task Get_UnknownBody_Answers404()
    {
        using var admin = await Admin();
        await AssertProblem(await admin.GetAsync(new Uri($"bodies/{Guid.CreateVersion7()}", UriKind.Relative)), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Get_ByAPerson_Answers403()
    {
        using var person = await As(PersonLogin);
        await AssertProblem(await person.GetAsync(new Uri($"bodies/{Ccas}", UriKind.Relative)), HttpStatusCode.Forbidden);
        await AssertProblem(await person.GetAsync(new Uri("bodies?commune=11262", UriKind.Relative)), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Get_ByAProfessionalOfAnotherBody_Answers200()
    {
        using var caf = await As(CafAgent);
        var (_, body) = await Get(caf, $"bodies/{Ccas}");
        Assert.Equal("CCAS de Narbonne", body["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Patch_ChangesOnlyTheGivenMembers_AndAnswersTheNewETag()
    {
        var id = await NewBody(ValidBody());
        using var admin = await Admin();
        var response = await Send(admin, HttpMethod.Patch, $"bodies/{id}", """{"name":"Maison des solidarités du Narbonnais","website":null}""",
            ifMatch: "\"1\"", contentType: "application/merge-patch+json");
        var body = await Json(response, HttpStatusCode.OK);
        Assert.Equal("\"2\"", ETag(response));
        Assert.Equal("Maison des solidarités du Narbonnais", body["name"]!.GetValue<string>());
        Assert.Null(body["website"]);
        Assert.Equal("+33468903030", body["phone"]!.GetValue<string>());

        var (read, _) = await Get(admin, $"bodies/{id}");
        Assert.Equal("\"2\"", ETag(read));
        var updates = await Fixture.Database.Scalar<long>($"select count(*) from directory.mt_events where stream_id = '{id}' and type = 'body_updated'");
        Assert.Equal(1, updates);
    }

    [Fact]
    public async Task Patch_ThatChangesNothing_KeepsTheVersion()
    {
        var id = await NewBody();
        using var admin = await Admin();
        var response = await Send(admin, HttpMethod.Patch, $"bodies/{id}", """{"kind":"association"}""", ifMatch: "\"1\"");
        await Json(response, HttpStatusCode.OK);
        Assert.Equal("\"1\"", ETag(response));
    }

    [Fact]
    public async Task Patch_WithoutIfMatch_Answers428_AndWithAStaleOne_412()
    {
        var id = await NewBody();
        using var admin = await Admin();
        await AssertProblem(await Send(admin, HttpMethod.Patch, $"bodies/{id}", """{"name":"Centre social Nord"}"""),
            HttpStatusCode.PreconditionRequired, "precondition-required");
        await Json(await Send(admin, HttpMethod.Patch, $"bodies/{id}", """{"name":"Centre social Nord"}""", ifMatch: "\"1\""), HttpStatusCode.OK);
        await AssertProblem(await Send(admin, HttpMethod.Patch, $"bodies/{id}", """{"name":"Centre social Sud"}""", ifMatch: "\"1\""),
            HttpStatusCode.PreconditionFailed, "precondition-failed");
        var (_, body) = await Get(admin, $"bodies/{id}");
        Assert.Equal("Centre social Nord", body["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Patch_UnknownBody_Answers404()
    {
        using var admin = await Admin();
        await AssertProblem(await Send(admin, HttpMethod.Patch, $"bodies/{Guid.CreateVersion7()}", """{"name":"Centre"}""", ifMatch: "\"1\""),
            HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"name":null}""", "name")]
    [InlineData("""{"name":"Centre social."}""", "name")]
    [InlineData("""{"siret":"13003013300017"}""", "siret")]
    [InlineData("""{"address":{"communeInsee":"2C004"}}""", "address.communeInsee")]
    [InlineData("""{"address":{"communeInsee":null}}""", "address.communeInsee")]
    [InlineData("""{"kind":"mairie"}""", "kind")]
    [InlineData("""{"sensitive":"no"}""", "sensitive")]
    [InlineData("""{"openingHours":"Mo-Fr 08:00-12:00 sauf août"}""", "openingHours")]
    [InlineData("""["name"]""", "$")]
    public async Task Patch_ThatWouldBreakARule_Answers400NamingTheField_AndChangesNothing(string patch, string field)
    {
        var id = await NewBody();
        using var admin = await Admin();
        await AssertInvalid(await Send(admin, HttpMethod.Patch, $"bodies/{id}", patch, ifMatch: "\"1\""), field);
        var (read, _) = await Get(admin, $"bodies/{id}");
        Assert.Equal("\"1\"", ETag(read));
    }

    [Fact]
    public async Task Patch_ByTheCoordinatorOfTheBody_IsAllowed_ButNotOnAnotherBody()
    {
        using var coordinator = await As(Coordinator);
        using var admin = await Admin();
        var (ccas, _) = await Get(admin, $"bodies/{Ccas}");
        var response = await Send(coordinator, HttpMethod.Patch, $"bodies/{Ccas}", """{"description":"Centre communal d'action sociale"}""", ifMatch: ETag(ccas));
        await Json(response, HttpStatusCode.OK);

        await AssertProblem(await Send(coordinator, HttpMethod.Patch, $"bodies/{Caf}", """{"name":"CAF"}""", ifMatch: "\"1\""), HttpStatusCode.Forbidden);
        var (_, caf) = await Get(admin, $"bodies/{Caf}");
        Assert.Equal("CAF de l'Aude", caf["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Patch_ByASocialWorkerOfTheBody_Answers403()
    {
        using var worker = await As(SocialWorker);
        await AssertProblem(await Send(worker, HttpMethod.Patch, $"bodies/{Ccas}", """{"name":"CCAS"}""", ifMatch: "\"1\""), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task SensitiveBody_StreetAddressIsShownToItsMembersOnly()
    {
        using var admin = await Admin();
        var (ccas, _) = await Get(admin, $"bodies/{Ccas}");
        // The CCAS itself is made sensitive for this check, then restored.
        await Json(await Send(admin, HttpMethod.Patch, $"bodies/{Ccas}", """{"sensitive":true,"address":{"line":"1 place Bistan"}}""", ifMatch: ETag(ccas)), HttpStatusCode.OK);
        try
        {
            using var member = await As(SocialWorker);
            var (_, seenByMember) = await Get(member, $"bodies/{Ccas}");
            Assert.Equal("1 place Bistan", seenByMember["address"]!["line"]!.GetValue<string>());
            Assert.False(seenByMember["addressWithheld"]!.GetValue<bool>());

            using var other = await As(CafAgent);
            var (_, seenByOther) = await Get(other, $"bodies/{Ccas}");
            Assert.Null(seenByOther["address"]!["line"]);
            Assert.Equal("11262", seenByOther["address"]!["communeInsee"]!.GetValue<string>());
            Assert.True(seenByOther["addressWithheld"]!.GetValue<bool>());
        }
        finally
        {
            var (now, _) = await Get(admin, $"bodies/{Ccas}");
            await Json(await Send(admin, HttpMethod.Patch, $"bodies/{Ccas}", """{"sensitive":false}""", ifMatch: ETag(now)), HttpStatusCode.OK);
        }
    }
}
