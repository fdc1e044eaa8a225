using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace Referrals.Tests.Api;

[Collection(ReferralsCollection.Name)]
public sealed class StatisticsApiTests(ReferralsFixture fixture) : ApiTest(fixture)
{
    private static JsonNode? Cell(JsonNode stats, string departement, string? right, string outcome) =>
        stats["departements"]!.AsArray().SingleOrDefault(d => d!["departement"]?.GetValue<string>() == departement)?["cells"]!.AsArray()
            .Single(c => c!["targetRight"]?.GetValue<string>() == right && c["outcome"]!.GetValue<string>() == outcome)!["count"];

    private async Task CloseOne(Guid personId, string right, string outcome)
    {
        var referral = await SendReferral(SocialWorker, personId, Caf, new { targetRight = right });
        await Json(await Transition(CafAgent, referral, "accept"), HttpStatusCode.OK);
        await Json(await Transition(CafAgent, referral, "close", new { outcome }), HttpStatusCode.OK);
    }

    [Fact]
    public async Task ClosedReferrals_AreCountedByRightAndOutcome_PerDepartementOfTheReceiver_WithSmallCellsMasked()
    {
        var personId = await PersonWithGrants(Ccas, Caf);
        for (var i = 0; i < 3; i++) await CloseOne(personId, "aspa", "abandoned");
        using var coordinator = await As(Coordinator);
        var today = Referrals.Api.Clock.ParisDate(DateTimeOffset.UtcNow).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var before = await Json(await Get(coordinator, $"statistics/rights-opened?departement=11&from={today}&to={today}"), HttpStatusCode.OK);
        Assert.Equal("<5", Cell(before, "11", "aspa", "abandoned")!.GetValue<string>());
        Assert.Equal(5, before["smallCellThreshold"]!.GetValue<int>());
        var cells = before["departements"]![0]!["cells"]!.AsArray();
        Assert.Equal(9 * 5, cells.Count);

        for (var i = 0; i < 2; i++) await CloseOne(personId, "aspa", "abandoned");
        var after = await Json(await Get(coordinator, $"statistics/rights-opened?departement=11&from={today}&to={today}"), HttpStatusCode.OK);
        Assert.Equal(5, Cell(after, "11", "aspa", "abandoned")!.GetValue<int>());

        // No person-level data, and no access-log entry: it is not a read of anyone's data.
        var text = after.ToJsonString();
        Assert.DoesNotContain(personId.ToString(), text, StringComparison.Ordinal);
        Assert.DoesNotContain("Camille", text, StringComparison.Ordinal);
        Assert.Equal(0, await AccessEvents(personId));

        // Another département, or a period before today, has nothing but masked cells.
        var elsewhere = await Json(await Get(coordinator, "statistics/rights-opened?departement=974"), HttpStatusCode.OK);
        Assert.All(elsewhere["departements"]![0]!["cells"]!.AsArray(), c => Assert.Equal("<5", c!["count"]!.GetValue<string>()));
        var past = await Json(await Get(coordinator, "statistics/rights-opened?departement=11&from=2020-01-01&to=2020-12-31"), HttpStatusCode.OK);
        Assert.Equal("<5", Cell(past, "11", "aspa", "abandoned")!.GetValue<string>());

        using var admin = await Admin();
        var all = await Json(await Get(admin, "statistics/rights-opened"), HttpStatusCode.OK);
        Assert.True(Cell(all, "11", "aspa", "abandoned")!.GetValue<int>() >= 5);
    }

    [Theory]
    [InlineData(SocialWorker)]
    [InlineData(CafAgent)]
    [InlineData(Adviser)]
    [InlineData(PeerWorker)]
    [InlineData(PersonLogin)]
    public async Task OnlyCoordinatorsAndAdministrators_ReadStatistics(string login)
    {
        using var client = await As(login);
        await AssertProblem(await Get(client, "statistics/rights-opened"), HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("departement=1", "departement")]
    [InlineData("departement=20", "departement")]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2026-13-01", "to")]
    [InlineData("from=2026-03-02&to=2026-03-01", "to")]
    public async Task BadParameters_Are400NamingTheField(string query, string field)
    {
        using var coordinator = await As(Coordinator);
        await AssertInvalid(await Get(coordinator, $"statistics/rights-opened?{query}"), field);
    }
}
