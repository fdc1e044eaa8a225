using Directory.Api.Bodies;
using Directory.Api.Bodies.Updating;
using Xunit;

namespace Directory.Tests.Deciders;

public sealed class BodyRulesTests
{
    private static RegisterBodyRequest Valid() => new("CCAS de Narbonne", "ccas-cias",
        new AddressRequest("Place de l'Hôtel de Ville", "11100", "11262", "Narbonne"), null,
        Siret: "13003013300016", Phone: "04 68 90 30 30", Email: "ccas@narbonne.fr", Website: "https://www.narbonne.fr",
        OpeningHours: "Mo-Fr  08:30-12:00;PH off");

    [Fact]
    public void GivenAValidBody_WhenValidated_ThenNoErrorAndTheProfileIsNormalised()
    {
        Assert.Empty(BodyRules.Validate(Valid()));
        var profile = BodyRules.ToProfile(Valid());
        Assert.Equal("+33468903030", profile.Phone);
        Assert.Equal("Mo-Fr 08:30-12:00; PH off", profile.OpeningHours);
        Assert.Equal(["11262"], profile.TerritoryCodes);
    }

    public static TheoryData<RegisterBodyRequest, string> Invalid() => new()
    {
        { Valid() with { Name = new string('a', 151) }, "name" },
        { Valid() with { Name = "ab" }, "name" },
        { Valid() with { Name = "CCAS de Narbonne." }, "name" },
        { Valid() with { Name = null! }, "name" },
        { Valid() with { Kind = "mairie" }, "kind" },
        { Valid() with { Siret = "13003013300017" }, "siret" },
        { Valid() with { Siret = "1300301330001" }, "siret" },
        { Valid() with { Address = new AddressRequest(null, null, "1126", null) }, "address.communeInsee" },
        { Valid() with { Address = null }, "address.communeInsee" },
        { Valid() with { Address = new AddressRequest(null, "1110", "11262", null) }, "address.postalCode" },
        { Valid() with { TerritoryCodes = ["11", "2C"] }, "territoryCodes[1]" },
        { Valid() with { Phone = "12" }, "phone" },
        { Valid() with { Email = "ccas@" }, "email" },
        { Valid() with { Website = "ftp://narbonne.fr" }, "website" },
        { Valid() with { OpeningHours = "Mo-Fr 8h-12h" }, "openingHours" },
        { Valid() with { Description = "abc" }, "description" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void GivenAWrongField_WhenValidated_ThenTheFieldIsNamed(RegisterBodyRequest request, string field) =>
        Assert.Contains(field, BodyRules.Validate(request).Keys);

    [Fact]
    public void GivenAProfile_WhenUpdatedWithTheSameValues_ThenNothingToAppend()
    {
        var profile = BodyRules.ToProfile(Valid());
        var body = Body.Create(BodyRegistered.From(Guid.CreateVersion7(), profile, "x"));
        Assert.Empty(UpdateBodyDecider.Decide(body, new UpdateBody(body.Id, profile with { TerritoryCodes = ["11262"] }, "x")).Events);
        var changed = UpdateBodyDecider.Decide(body, new UpdateBody(body.Id, profile with { Name = "CCAS du Grand Narbonne" }, "x"));
        Assert.Equal("CCAS du Grand Narbonne", Assert.IsType<BodyUpdated>(Assert.Single(changed.Events)).Profile.Name);
    }
}
