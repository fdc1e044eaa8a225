using System.Net;
using Xunit;

namespace Directory.Tests.Api;

[Collection(DirectoryCollection.Name)]
public sealed class PlacesApiTests(DirectoryFixture fixture) : ApiTest(fixture)
{
    private static object Permanence(string name = "Permanence à la mairie de Gruissan") => new
    {
        name,
        address = new { line = "Boulevard du Pech Maynaud", postalCode = "11430", communeInsee = "11170", commune = "Gruissan" },
        permanence = new { from = "2025-09-04", to = "2025-10-23", days = new[] { "thursday" }, opens = "09:00", closes = "12:00" },
    };

    [Fact]
    public async Task Add_APermanence_ThenItIsListedWithItsRecurrence()
    {
        var bodyId = await NewBody();
        using var admin = await Admin();
        var response = await Send(admin, HttpMethod.Post, $"bodies/{bodyId}/places", Permanence());
        var id = (await Json(response, HttpStatusCode.Created))["id"]!.GetValue<Guid>();
        Assert.Equal($"/bodies/{bodyId}/places/{id}", response.Headers.Location!.ToString());

        using var worker = await As(CafAgent);
        var (_, page) = await Get(worker, $"bodies/{bodyId}/places");
        var place = Assert.Single(page["items"]!.AsArray())!;
        Assert.Equal(id, place["id"]!.GetValue<Guid>());
        Assert.Equal("Boulevard du Pech Maynaud", place["address"]!["line"]!.GetValue<string>());
        Assert.Equal("thursday", place["permanence"]!["days"]![0]!.GetValue<string>());
        Assert.Equal("09:00:00", place["permanence"]!["opens"]!.GetValue<string>());
        var (_, one) = await Get(worker, $"bodies/{bodyId}/places/{id}");
        Assert.Equal("2025-10-23", one["permanence"]!["to"]!.GetValue<string>());

        var events = await Fixture.Database.Scalar<long>($"select count(*) from directory.mt_events where stream_id = '{id}' and type = 'place_added'");
        Assert.Equal(1, events);
    }

    [Theory]
    [InlineData("""{"name":"Mairie","address":{"communeInsee":"11170"},"permanence":{"from":"2025-09-04","to":"2025-10-23","days":[],"opens":"09:00","closes":"12:00"}}""", "permanence.days")]
    [InlineData("""{"name":"Mairie","address":{"communeInsee":"11170"},"permanence":{"from":"2025-09-04","to":"2025-10-23","days":["jeudi"],"opens":"09:00","closes":"12:00"}}""", "permanence.days[0]")]
    [InlineData("""{"name":"Mairie","address":{"communeInsee":"11170"},"permanence":{"from":"2025-09-04","to":"2025-08-23","days":["thursday"],"opens":"09:00","closes":"12:00"}}""", "permanence.to")]
    [InlineData("""{"name":"Mairie","address":{"communeInsee":"11170"},"permanence":{"from":"2025-09-04","to":"2025-10-23","days":["thursday"],"opens":"12:00","closes":"09:00"}}""", "permanence.closes")]
    [InlineData("""{"name":"Mairie","address":{"communeInsee":"11170"},"permanence":{"from":"04/09/2025","to":"2025-10-23","days":["thursday"],"opens":"09:00","closes":"12:00"}}""", "permanence.from")]
    [InlineData("""{"name":"Mairie","address":{"communeInsee":"111"}}""", "address.communeInsee")]
    [InlineData("""{"name":"Ma","address":{"communeInsee":"11170"}}""", "name")]
    public async Task Add_WithABadField_Answers400NamingIt(string json, string field)
    {
        var bodyId = await NewBody();
        using var admin = await Admin();
        await AssertInvalid(await Send(admin, HttpMethod.Post, $"bodies/{bodyId}/places", json), field);
    }

    [Fact]
    public async Task Add_ToAnUnknownBody_Answers404_AndByASocialWorker403()
    {
        using var admin = await Admin();
        await AssertProblem(await Send(admin, HttpMethod.Post, $"bodies/{Guid.CreateVersion7()}/places", Permanence()), HttpStatusCode.NotFound);
        using var worker = await As(SocialWorker);
        await AssertProblem(await Send(worker, HttpMethod.Post, $"bodies/{Ccas}/places", Permanence()), HttpStatusCode.Forbidden);
        await AssertProblem(await admin.GetAsync(new Uri($"bodies/{Guid.CreateVersion7()}/places", UriKind.Relative)), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task SensitiveBody_PlaceAddressIsShownToItsMembersOnly()
    {
        var bodyId = await NewBody(new
        {
            name = Unique("Centre d'hébergement"), kind = "chrs", sensitive = true,
            address = new { line = "3 impasse des Tilleuls", communeInsee = "11262" },
        });
        using var admin = await Admin();
        var placeId = (await Json(await Send(admin, HttpMethod.Post, $"bodies/{bodyId}/places", Permanence("Accueil de jour")), HttpStatusCode.Created))["id"]!.GetValue<Guid>();

        // Not a member: the commune only.
        using var other = await As(SocialWorker);
        var (_, page) = await Get(other, $"bodies/{bodyId}/places");
        var place = page["items"]![0]!;
        Assert.Null(place["address"]!["line"]);
        Assert.Equal("11170", place["address"]!["communeInsee"]!.GetValue<string>());
        Assert.True(place["addressWithheld"]!.GetValue<bool>());
        var (_, one) = await Get(admin, $"bodies/{bodyId}/places/{placeId}");
        Assert.Null(one["address"]!["line"]);
        var (_, body) = await Get(other, $"bodies/{bodyId}");
        Assert.Null(body["address"]!["line"]);
    }
}
