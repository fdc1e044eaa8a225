using System.Text.Json;
using Consents.Api.Privacy.Exporting;
using Xunit;

namespace Privacy.Tests.Deciders;

public sealed class SensitiveBodiesFilterTests
{
    private static readonly Guid Shelter = Guid.CreateVersion7();
    private static readonly Guid Caf = Guid.CreateVersion7();

    private static PersonExportDocument Document(Dictionary<string, object> sections) =>
        new("coordination.person-export.v1", Guid.CreateVersion7(), Guid.CreateVersion7(), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow,
            DateTimeOffset.UtcNow.AddDays(1), [], sections.ToDictionary(s => s.Key, s => JsonSerializer.SerializeToElement(s.Value)));

    [Fact]
    public void GivenItemsOfASensitiveBody_WhenFiltered_ThenEveryEntryMentioningItIsGoneAndTheOthersStay()
    {
        var document = Document(new()
        {
            ["consents"] = new object[] { new { id = 1, bodyId = Shelter, bodyName = "Refuge" }, new { id = 2, bodyId = Caf, bodyName = "CAF" } },
            ["referrals"] = new object[]
            {
                new { id = 3, toBodyId = Caf, history = new object[] { new { status = "redirected", toBodyId = Shelter }, new { status = "sent" } } },
                new { id = 4, fromBodyId = Shelter },
            },
            ["identity"] = new { givenName = "Camille", registeredByBodyId = Shelter },
        });

        var filtered = SensitiveBodiesFilter.Without(document, new HashSet<Guid> { Shelter });

        var text = JsonSerializer.Serialize(filtered.Sections);
        Assert.DoesNotContain(Shelter.ToString(), text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Refuge", text, StringComparison.Ordinal);
        Assert.Equal([2], filtered.Sections["consents"].EnumerateArray().Select(c => c.GetProperty("id").GetInt32()));
        var referral = Assert.Single(filtered.Sections["referrals"].EnumerateArray());
        Assert.Equal(3, referral.GetProperty("id").GetInt32());
        Assert.Equal(["sent"], referral.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()));
        Assert.Equal("Camille", filtered.Sections["identity"].GetProperty("givenName").GetString());
        Assert.Equal(JsonValueKind.Null, filtered.Sections["identity"].GetProperty("registeredByBodyId").ValueKind);
    }

    [Fact]
    public void GivenNoSensitiveBody_WhenFiltered_ThenTheDocumentIsUnchanged()
    {
        var document = Document(new() { ["consents"] = new object[] { new { bodyId = Caf } } });
        Assert.Same(document, SensitiveBodiesFilter.Without(document, new HashSet<Guid>()));
    }
}
