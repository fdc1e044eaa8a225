using Referrals.Api;
using Referrals.Api.Statistics;
using Xunit;

namespace Referrals.Tests.Deciders;

public sealed class RightsOpenedTests
{
    private static readonly Guid Narbonne = Guid.CreateVersion7(), Carcassonne = Guid.CreateVersion7(), SaintDenis = Guid.CreateVersion7(), Unknown = Guid.CreateVersion7();

    private static readonly Dictionary<Guid, string?> Departements = new()
    {
        [Narbonne] = RightsOpened.DepartementOf("11262"), [Carcassonne] = RightsOpened.DepartementOf("11069"),
        [SaintDenis] = RightsOpened.DepartementOf("97411"), [Unknown] = RightsOpened.DepartementOf(null),
    };

    private static IEnumerable<ClosedReferralRow> Rows(Guid body, TargetRight? right, ClosingOutcome outcome, int count) =>
        Enumerable.Repeat(new ClosedReferralRow(body, right, outcome), count);

    [Fact]
    public void TheDepartementOfACommune_IsTwoCharacters_OrThreeOverseas()
    {
        Assert.Equal("11", RightsOpened.DepartementOf("11262"));
        Assert.Equal("2A", RightsOpened.DepartementOf("2A004"));
        Assert.Equal("974", RightsOpened.DepartementOf("97411"));
        Assert.Null(RightsOpened.DepartementOf(null));
        Assert.True(RightsOpened.IsDepartement("974"));
        Assert.False(RightsOpened.IsDepartement("20"));
        Assert.False(RightsOpened.IsDepartement("1"));
    }

    [Fact]
    public void CellsUnderFive_AreShownAsLessThanFive_AndOthersAsTheirCount()
    {
        var rows = Rows(Narbonne, TargetRight.Rsa, ClosingOutcome.RightOpened, 4)
            .Concat(Rows(Carcassonne, TargetRight.Rsa, ClosingOutcome.RightOpened, 2))
            .Concat(Rows(Narbonne, TargetRight.Css, ClosingOutcome.NotEligible, 5))
            .Concat(Rows(SaintDenis, null, ClosingOutcome.Abandoned, 7));

        var table = RightsOpened.Tabulate(rows, Departements, null);

        Assert.Equal(["11", "974"], table.Select(d => d.Departement));
        var aude = table[0].Cells;
        // Both bodies of the Aude count together: 4 + 2 = 6.
        Assert.Equal(6, aude.Single(c => c.TargetRight == TargetRight.Rsa && c.Outcome == ClosingOutcome.RightOpened).Count);
        Assert.Equal(5, aude.Single(c => c.TargetRight == TargetRight.Css && c.Outcome == ClosingOutcome.NotEligible).Count);
        // Every other cell, zero included, is "<5": no cell tells a handful of people apart.
        Assert.Equal(9 * 5, aude.Count);
        Assert.All(aude.Where(c => c.Count is string), c => Assert.Equal("<5", c.Count));
        Assert.Equal(9 * 5 - 2, aude.Count(c => c.Count is string));
        Assert.Equal(7, table[1].Cells.Single(c => c.TargetRight == null && c.Outcome == ClosingOutcome.Abandoned).Count);
    }

    [Fact]
    public void OneDepartement_IsAlwaysAnswered_EvenWithNothingClosed()
    {
        var table = RightsOpened.Tabulate(Rows(Narbonne, TargetRight.Apl, ClosingOutcome.RightOpened, 3), Departements, "34");
        var only = Assert.Single(table);
        Assert.Equal("34", only.Departement);
        Assert.All(only.Cells, c => Assert.Equal("<5", c.Count));
    }
}
