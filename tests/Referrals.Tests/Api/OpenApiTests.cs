using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Xunit;

namespace Referrals.Tests.Api;

[Collection(ReferralsCollection.Name)]
public sealed class OpenApiTests(ReferralsFixture fixture) : ApiTest(fixture)
{
    private static readonly string[] Routes =
    [
        "post /referrals", "get /referrals", "get /referrals/{id}",
        "post /referrals/{id}/review", "post /referrals/{id}/accept", "post /referrals/{id}/decline", "post /referrals/{id}/redirect",
        "post /referrals/{id}/close", "post /referrals/{id}/withdraw",
        "put /persons/{personId}/contact-persons/{bodyId}", "get /persons/{personId}/contact-persons",
        "post /persons/{personId}/accompaniments", "get /persons/{personId}/accompaniments", "post /persons/{personId}/accompaniments/{id}/hide",
        "get /persons/{personId}/follow-up", "get /statistics/rights-opened",
    ];

    private async Task<string> Document()
    {
        using var anonymous = Fixture.Client(Fixture.Referrals);
        var response = await anonymous.GetAsync(new Uri("openapi/v1.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task Document_DescribesEveryRoute_WithOperationIdSummaryTagsAndAnswers()
    {
        var document = System.Text.Json.Nodes.JsonNode.Parse(await Document())!;
        var operations = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(o => (Key: $"{o.Key} {p.Key}", Operation: o.Value!)))
            .ToDictionary(o => o.Key, o => o.Operation);
        Assert.Equal(Routes.Order(), operations.Keys.Order());
        var described = document["tags"]!.AsArray().ToDictionary(t => t!["name"]!.GetValue<string>(), t => t!["description"]?.GetValue<string>());
        var ids = new HashSet<string>();
        foreach (var (route, operation) in operations)
        {
            var id = operation["operationId"]?.GetValue<string>();
            Assert.False(string.IsNullOrEmpty(id), $"{route} has no operationId");
            Assert.True(char.IsLower(id[0]) && ids.Add(id), $"{route}: operationId '{id}' is not camelCase or not unique");
            Assert.False(string.IsNullOrEmpty(operation["summary"]?.GetValue<string>()), $"{route} has no summary");
            Assert.All(operation["tags"]!.AsArray(), t => Assert.False(string.IsNullOrEmpty(described[t!.GetValue<string>()])));
            var answers = operation["responses"]!.AsObject().Select(r => r.Key).ToList();
            Assert.Contains(answers, a => a.StartsWith('2'));
            Assert.Contains("401", answers);
            Assert.Contains("403", answers);
            if (route.StartsWith("post /referrals/{id}", StringComparison.Ordinal) || route.EndsWith("/hide", StringComparison.Ordinal) || route.StartsWith("put", StringComparison.Ordinal))
            {
                Assert.Contains("412", answers);
                Assert.Contains("428", answers);
            }
            if (route.Contains("{id}", StringComparison.Ordinal) || route.Contains("{personId}", StringComparison.Ordinal)) Assert.Contains("404", answers);
        }
    }

    [Fact]
    public async Task Document_PassesTheRedoclyLinterWithZeroErrors()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Coordination.sln"))) dir = dir.Parent;
        var lintFolder = Path.Combine(dir!.FullName, "tests", "OpenApiLint");
        var redocly = Path.Combine(lintFolder, "node_modules", ".bin", "redocly");
        Assert.True(File.Exists(redocly), "Redocly is not installed: run `npm ci` in tests/OpenApiLint (./coordination test does).");

        var file = Path.Combine(System.IO.Directory.CreateTempSubdirectory("referrals-openapi-").FullName, "referrals.json");
        await File.WriteAllTextAsync(file, await Document());
        var start = new ProcessStartInfo(redocly) { WorkingDirectory = lintFolder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "lint", "--format=json", "--config", Path.Combine(lintFolder, "redocly.yaml"), file }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        var report = JsonDocument.Parse(await stdout).RootElement;
        var problems = report.GetProperty("problems").EnumerateArray()
            .Select(p => p.GetProperty("severity").GetString() + " " + p.GetProperty("ruleId").GetString() + ": " + p.GetProperty("message").GetString()).ToList();
        Assert.True(report.GetProperty("totals").GetProperty("errors").GetInt32() == 0, string.Join("; ", problems) + await stderr);
        Assert.True(report.GetProperty("totals").GetProperty("warnings").GetInt32() == 0, string.Join("; ", problems));
    }
}
