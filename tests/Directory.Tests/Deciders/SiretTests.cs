using Directory.Api.Formats;
using Xunit;

namespace Directory.Tests.Deciders;

public sealed class SiretTests
{
    [Theory]
    [InlineData("13003013300016")] // DINUM, data·inclusion's own example
    [InlineData("73282932000074")]
    [InlineData("55208131766522")]
    [InlineData("35600000000048")] // La Poste's head office follows Luhn
    public void GivenALuhnValidSiret_WhenChecked_ThenValid(string siret) => Assert.True(Siret.IsValid(siret));

    [Fact]
    public void GivenALaPosteEstablishmentWithDigitSumMultipleOf5_WhenChecked_ThenValidAlthoughLuhnFails()
    {
        Assert.False(Siret.Luhn("35600000049837"));
        Assert.True(Siret.IsValid("35600000049837"));
    }

    [Fact]
    public void GivenALaPosteEstablishmentWhoseDigitSumIsNotAMultipleOf5_WhenChecked_ThenInvalid() =>
        Assert.False(Siret.IsValid("35600000049838"));

    [Theory]
    [InlineData("13003013300017")] // wrong key
    [InlineData("73282932000075")]
    [InlineData("1300301330001")] // 13 digits
    [InlineData("130030133000166")]
    [InlineData("1300301330001A")]
    [InlineData("")]
    public void GivenAWrongSiret_WhenChecked_ThenInvalid(string siret) => Assert.False(Siret.IsValid(siret));

    [Fact]
    public void GivenASiretWhoseSirenKeyIsWrong_WhenChecked_ThenInvalidEvenIfTheWholeNumberIsLuhn()
    {
        // 10000000100006: the 14 digits pass Luhn, the SIREN 100000001 does not.
        Assert.True(Siret.Luhn("10000000100006"));
        Assert.False(Siret.Luhn("100000001"));
        Assert.False(Siret.IsValid("10000000100006"));
    }
}
