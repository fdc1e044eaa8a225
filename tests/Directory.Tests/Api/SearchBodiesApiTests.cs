using System.Net;
using Xunit;

namespace Directory.Tests.Api;

[Collection(DirectoryCollection.Name)]
public sealed class SearchBodiesApiTests(DirectoryFixture fixture) : ApiTest(fixture)
{
    private const string Budget = "difficultes-financieres--ameliorer-sa-gestion-budgetaire";

    [Fact]
    public async Task Search_ByCommuneAndThematique_FindsBodiesServingTheCommuneOrItsDepartementWithThatThematique()
    {
        // Bastia (2B033) and Haute-Corse (2B) are used by this test only.
        var inCommune = await NewBody(new { name = Unique("Point conseil budget de Bastia"), kind = "points-conseil-budget", address = new { communeInsee = "2B033" } });
        var inDepartement = await NewBody(new { name = Unique("UDAF de Haute-Corse"), kind = "association", address = new { communeInsee = "2B096" }, territoryCodes = new[] { "2B" } });
        var otherCommune = await NewBody(new { name = Unique("CCAS de Corte"), kind = "ccas-cias", address = new { communeInsee = "2B096" } });
        var withoutTheme = await NewBody(new { name = Unique("Mairie de Bastia"), kind = "communes", address = new { communeInsee = "2B033" } });
        using var admin = await Admin();
        foreach (var body in new[] { inCommune, inDepartement, otherCommune })
        {
            await Json(await Send(admin, HttpMethod.Post, $"bodies/{body}/services",
                new { name = "Budget", description = "Aide à la gestion du budget", thematiques = new[] { Budget } }), HttpStatusCode.Created);
        }

        using var worker = await As(SocialWorker);
        var found = await Ids(worker, $"bodies?commune=2B033&thematique={Budget}");
        Assert.Contains(inCommune, found);
        Assert.Contains(inDepartement, found);
        Assert.DoesNotContain(otherCommune, found);
        Assert.DoesNotContain(withoutTheme, found);

        var anyTheme = await Ids(worker, "bodies?commune=2B033&pageSize=100");
        Assert.Contains(withoutTheme, anyTheme);

        var byKind = await Ids(worker, "bodies?commune=2B033&kind=communes");
        Assert.Equal([withoutTheme], byKind);

        var byCategory = await Ids(worker, "bodies?commune=2B033&thematique=difficultes-financieres");
        Assert.Contains(inCommune, byCategory);
    }

    [Fact]
    public async Task Search_ByNameWords_IgnoresAccentsAndCase()
    {
        var marker = Guid.NewGuid().ToString("N")[..6];
        var id = await NewBody(new { name = $"Épicerie Solidaire Béziers {marker}", kind = "association", address = new { communeInsee = "34032" } });
        using var worker = await As(SocialWorker);
        Assert.Equal([id], await Ids(worker, $"bodies?q=epicerie%20solidaire%20beziers%20{marker}"));
    }

    [Fact]
    public async Task Search_IsPaged()
    {
        using var worker = await As(SocialWorker);
        var (_, first) = await Get(worker, "bodies?commune=11262&pageSize=2&page=1");
        Assert.Equal(2, first["items"]!.AsArray().Count);
        Assert.Equal(2, first["pageSize"]!.GetValue<int>());
        Assert.True(first["total"]!.GetValue<long>() >= 5); // the demo bodies all serve Narbonne
        var (_, second) = await Get(worker, "bodies?commune=11262&pageSize=2&page=2");
        Assert.NotEqual(first["items"]![0]!["id"]!.GetValue<Guid>(), second["items"]![0]!["id"]!.GetValue<Guid>());
        var (_, beyond) = await Get(worker, "bodies?commune=11262&pageSize=2&page=1000");
        Assert.Empty(beyond["items"]!.AsArray());
        Assert.Equal(first["total"]!.GetValue<long>(), beyond["total"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("bodies?commune=1126", "commune")]
    [InlineData("bodies?commune=Narbonne", "commune")]
    [InlineData("bodies?kind=mairie", "kind")]
    [InlineData("bodies?thematique=budget", "thematique")]
    [InlineData("bodies?q=a", "q")]
    [InlineData("bodies?pageSize=0", "pageSize")]
    public async Task Search_WithABadParameter_Answers400NamingIt(string url, string field)
    {
        using var worker = await As(SocialWorker);
        await AssertInvalid(await worker.GetAsync(new Uri(url, UriKind.Relative)), field);
    }

    [Fact]
    public async Task Search_WithANonNumericPage_Answers400NamingTheParameter()
    {
        // Binding failures of query parameters are answered by the shared wiring: a validation problem keyed by the parameter.
        using var worker = await As(SocialWorker);
        var problem = await Json(await worker.GetAsync(new Uri("bodies?page=x", UriKind.Relative)), HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["page"]);
    }

    private async Task<List<Guid>> Ids(HttpClient client, string url)
    {
        var (_, page) = await Get(client, url);
        return page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<Guid>()).ToList();
    }
}
