using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace Directory.Tests.Api;

[Collection(DirectoryCollection.Name)]
public sealed class OpenApiTests(DirectoryFixture fixture) : ApiTest(fixture)
{
    private static readonly string[] Routes =
    [
        "post /bodies", "get /bodies", "get /bodies/{id}", "patch /bodies/{id}",
        "post /bodies/{id}/services", "get /bodies/{id}/services", "get /bodies/{id}/services/{serviceId}",
        "patch /bodies/{id}/services/{serviceId}", "put /bodies/{id}/services/{serviceId}/capacity", "get /services",
        "post /bodies/{id}/places", "get /bodies/{id}/places", "get /bodies/{id}/places/{placeId}",
        "post /bodies/{id}/members", "get /bodies/{id}/members", "get /bodies/{id}/members/{memberId}", "delete /bodies/{id}/members/{memberId}",
        "put /bodies/{id}/partner-contact", "get /bodies/{id}/partner-contact/history",
        "post /imports/data-inclusion", "get /exports/data-inclusion/structures", "get /exports/data-inclusion/services",
    ];

    [Fact]
    public async Task Document_DescribesEveryRoute_WithAnOperationIdASummaryAndItsAnswers()
    {
        using var anonymous = Fixture.Client(Fixture.Directory);
        var response = await anonymous.GetAsync(new Uri("openapi/v1.json", UriKind.Relative));
        var document = await Json(response, HttpStatusCode.OK);
        if (Environment.GetEnvironmentVariable("DIRECTORY_OPENAPI_OUT") is { } path) await File.WriteAllTextAsync(path, document.ToJsonString());

        var operations = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(o => (Key: $"{o.Key} {p.Key}", Operation: o.Value!)))
            .ToDictionary(o => o.Key, o => o.Operation);
        Assert.Equal(Routes.Order(), operations.Keys.Order());
        var ids = new HashSet<string>();
        foreach (var (route, operation) in operations)
        {
            var id = operation["operationId"]?.GetValue<string>();
            Assert.False(string.IsNullOrEmpty(id), $"{route} has no operationId");
            Assert.True(char.IsLower(id[0]) && ids.Add(id), $"{route}: operationId '{id}' is not camelCase or not unique");
            Assert.False(string.IsNullOrEmpty(operation["summary"]?.GetValue<string>()), $"{route} has no summary");
            var answers = operation["responses"]!.AsObject().Select(r => r.Key).ToList();
            Assert.Contains(answers, a => a.StartsWith('2'));
            Assert.Contains("401", answers);
            Assert.Contains("403", answers);
            if (route.StartsWith("patch", StringComparison.Ordinal) || route.StartsWith("put", StringComparison.Ordinal) || route.StartsWith("delete", StringComparison.Ordinal))
            {
                Assert.Contains("412", answers);
                Assert.Contains("428", answers);
            }
            if (route.Contains("{id}", StringComparison.Ordinal)) Assert.Contains("404", answers);
        }
    }
}
