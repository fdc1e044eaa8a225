using System.Net;
using System.Text.RegularExpressions;
using Xunit;
using static Consents.Tests.TestKit;

namespace Consents.Tests.Api;

/// <summary>The published contract of the API lints clean: every operation named, summarized, tagged, with its answers.</summary>
[Collection(ConsentsCollection.Name)]
public sealed partial class OpenApiTests(ConsentsFixture fixture)
{
    [GeneratedRegex("^[a-z][a-zA-Z]+$")]
    private static partial Regex CamelCase();

    [Fact]
    public async Task EveryOperation_HasAUniqueCamelCaseIdASummaryATagAndItsAnswers()
    {
        using var anonymous = fixture.Consents.Client();

        using var response = await anonymous.GetAsync("openapi/v1.json");

        var document = await response.ExpectJson(HttpStatusCode.OK);
        Assert.StartsWith("3.1", document["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        var operations = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Where(o => o.Key is "get" or "post" or "put" or "delete" or "patch")
                .Select(o => (Path: path.Key, Method: o.Key, Operation: o.Value!)))
            .ToList();
        Assert.Equal(29, operations.Count);
        var ids = operations.Select(o => o.Operation["operationId"]?.GetValue<string>()).ToList();
        Assert.All(ids, id => Assert.Matches(CamelCase(), id!));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        foreach (var (path, method, operation) in operations)
        {
            var where = $"{method.ToUpperInvariant()} {path}";
            Assert.False(string.IsNullOrWhiteSpace(operation["summary"]?.GetValue<string>()), where + " has no summary");
            Assert.False(string.IsNullOrWhiteSpace(operation["description"]?.GetValue<string>()), where + " has no description");
            Assert.NotEmpty(operation["tags"]!.AsArray());
            var responses = operation["responses"]!.AsObject().Select(r => r.Key).ToList();
            Assert.Contains(responses, r => r.StartsWith('2'));
            Assert.Contains("401", responses);
            Assert.Contains("403", responses);
            if (path.Contains('{', StringComparison.Ordinal)) Assert.Contains("404", responses);
            if (method is "post" or "delete") Assert.True(responses.Contains("400") || responses.Contains("404"), where + " documents no client error");
        }
        var fhir = document["paths"]!["/persons/{id}/consents/{consentId}/fhir"]!["get"]!["responses"]!["200"]!["content"]!.AsObject();
        Assert.Equal(["application/fhir+json"], fhir.Select(c => c.Key));
    }
}
