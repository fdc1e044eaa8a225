using System.Text.Json;
using Directory.Api.DataInclusion;
using Directory.Api.DataInclusion.Importing;
using Xunit;

namespace Directory.Tests.Deciders;

public sealed class DataInclusionMappingTests
{
    private static JsonElement Record(object value) => JsonSerializer.SerializeToElement(value);

    [Fact]
    public void GivenAValidStructure_WhenMapped_ThenKindIsTheFirstKnownNetworkAndTheCommuneIsItsTerritory()
    {
        var (mapped, errors) = DataInclusionMapping.Structure(Record(new
        {
            source = "dora", id = "dora--42", nom = "Maison France services de Narbonne", date_maj = "2025-02-14",
            siret = "13003013300016", telephone = "04 68 90 30 30", code_insee = "11262", commune = "Narbonne",
            reseaux_porteurs = new[] { "france-service", "communes" }, horaires_accueil = "Mo-Fr 09:00-12:00",
        }));
        Assert.Empty(errors);
        Assert.Equal("france-service", mapped!.Profile.Kind);
        Assert.Equal(["11262"], mapped.Profile.TerritoryCodes);
        Assert.Equal("+33468903030", mapped.Profile.Phone);
        Assert.Empty(mapped.Warnings);
    }

    [Fact]
    public void GivenAStructureWithoutNetwork_WhenMapped_ThenKindIsOther()
    {
        var (mapped, _) = DataInclusionMapping.Structure(Record(new { source = "s", id = "s--1", nom = "Épicerie solidaire", date_maj = "2025-01-01" }));
        Assert.Equal("other", mapped!.Profile.Kind);
    }

    [Fact]
    public void GivenWhatOnlyDirectoryRefuses_WhenMapped_ThenKeptAsGivenWithWarnings()
    {
        var (mapped, errors) = DataInclusionMapping.Structure(Record(new
        {
            source = "s", id = "s--2", nom = "Centre social.", date_maj = "2025-01-01",
            siret = "13003013300017", horaires_accueil = "Mo-Fr 9h-12h sauf vacances", telephone = "pas de téléphone",
        }));
        Assert.Empty(errors);
        Assert.Equal(["siret", "horaires_accueil", "code_insee", "telephone"], mapped!.Warnings);
        Assert.Equal("13003013300017", mapped.Profile.Siret);
        Assert.Equal("Mo-Fr 9h-12h sauf vacances", mapped.Profile.OpeningHours);
        Assert.Equal("Centre social.", mapped.Profile.Name);
    }

    public static TheoryData<string, string> SchemaViolations() => new()
    {
        { """{"source":"s","id":"s--3","nom":"x","date_maj":"2025-01-01"}""", "/nom" },
        { """{"source":"s","id":"s--3","nom":"Centre social"}""", "date_maj" },
        { """{"source":"s","id":"s--3","nom":"Centre social","date_maj":"14/02/2025"}""", "/date_maj" },
        { """{"source":"s","id":"s--3","nom":"Centre social","date_maj":"2025-01-01","courriel":"pas-un-courriel"}""", "/courriel" },
        { """{"source":"s","id":"s--3","nom":"Centre social","date_maj":"2025-01-01","code_postal":"1110"}""", "/code_postal" },
        { """{"source":"s","id":"s--3","nom":"Centre social","date_maj":"2025-01-01","reseaux_porteurs":["mairie"]}""", "/reseaux_porteurs/0" },
        { """{"source":"s","id":"s--3","nom":"Centre social","date_maj":"2025-01-01","siret":"1300301330001"}""", "/siret" },
    };

    [Theory]
    [MemberData(nameof(SchemaViolations))]
    public void GivenAStructureTheOfficialSchemaRejects_WhenMapped_ThenRejectedWithTheFailingLocation(string json, string location)
    {
        var (mapped, errors) = DataInclusionMapping.Structure(JsonDocument.Parse(json).RootElement);
        Assert.Null(mapped);
        Assert.Contains(errors, e => e.Contains(location, StringComparison.Ordinal));
    }

    [Fact]
    public void GivenAServiceWithAnUnknownThematique_WhenMapped_ThenRejected()
    {
        var (mapped, errors) = DataInclusionMapping.Service(Record(new
        {
            source = "s", id = "s--svc", structure_id = "s--1", nom = "Aide", description = "Une aide aux démarches", date_maj = "2025-01-01",
            thematiques = new[] { "logement" },
        }));
        Assert.Null(mapped);
        Assert.Contains(errors, e => e.StartsWith("/thematiques/0", StringComparison.Ordinal));
    }

    [Fact]
    public void GivenAnIdOfOurs_WhenImported_ThenItKeepsItsStream_AndOtherIdsGetAStableOne()
    {
        var own = Guid.CreateVersion7();
        Assert.Equal(own, DataInclusionIds.StreamOf("structure", "coordination", $"coordination--{own}"));
        Assert.Null(DataInclusionIds.OriginOf(new("coordination", $"coordination--{own}")));
        var dora = DataInclusionIds.StreamOf("structure", "dora", "dora--42");
        Assert.Equal(dora, DataInclusionIds.StreamOf("structure", "dora", "dora--42"));
        Assert.NotEqual(dora, DataInclusionIds.StreamOf("structure", "emplois", "dora--42"));
        Assert.NotEqual(dora, DataInclusionIds.StreamOf("service", "dora", "dora--42"));
    }
}
