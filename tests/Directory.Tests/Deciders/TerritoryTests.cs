using Directory.Api.Bodies;
using Xunit;

namespace Directory.Tests.Deciders;

public sealed class TerritoryTests
{
    [Theory]
    [InlineData("11262", true)]
    [InlineData("2A004", true)]
    [InlineData("2B033", true)]
    [InlineData("97411", true)]
    [InlineData("2C004", false)]
    [InlineData("1126", false)]
    [InlineData("112620", false)]
    [InlineData("11", false)]
    [InlineData("ABCDE", false)]
    public void GivenACode_WhenCheckedAsCommune_ThenOnlyInseeCommuneCodesPass(string code, bool expected) =>
        Assert.Equal(expected, Territory.IsCommune(code));

    [Theory]
    [InlineData("11", true)]
    [InlineData("2A", true)]
    [InlineData("974", true)]
    [InlineData("20", false)] // Corsica has been 2A and 2B since 1976
    [InlineData("00", false)]
    [InlineData("977", false)]
    [InlineData("11262", false)]
    public void GivenACode_WhenCheckedAsDepartement_ThenOnlyDepartementCodesPass(string code, bool expected) =>
        Assert.Equal(expected, Territory.IsDepartement(code));

    [Theory]
    [InlineData("11262", "11")]
    [InlineData("2A004", "2A")]
    [InlineData("97411", "974")]
    [InlineData("75056", "75")]
    public void GivenACommune_WhenItsDepartementIsDerived_ThenOverseasUsesThreeDigitsAndCorsicaItsLetter(string commune, string departement) =>
        Assert.Equal(departement, Territory.DepartementOf(commune));

    [Fact]
    public void GivenATerritoryOfCommunesAndDepartements_WhenAskedAboutACommune_ThenItServesItsCommunesAndThoseOfItsDepartements()
    {
        string[] served = ["11262", "34"];
        Assert.True(Territory.Serves(served, "11262"));
        Assert.True(Territory.Serves(served, "34172"));
        Assert.False(Territory.Serves(served, "11069"));
        Assert.False(Territory.Serves(["974"], "97111"));
        Assert.True(Territory.Serves(["974"], "97411"));
    }

    [Fact]
    public void GivenABodyWithoutTerritory_WhenRegistered_ThenItServesItsOwnCommune()
    {
        Assert.Equal(["11262"], BodyRules.TerritoryOf(null, "11262"));
        Assert.Equal(["11", "34"], BodyRules.TerritoryOf(["11", "34", "11"], "11262"));
        Assert.Empty(BodyRules.TerritoryOf([], "not-insee"));
    }
}
