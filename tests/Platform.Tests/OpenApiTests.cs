using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace Platform.Tests;

/// <summary>
/// Each service publishes an OpenAPI 3.1 document that a standard linter (Redocly, recommended rules)
/// accepts with 0 errors, with the bearer scheme, servers, and a summary and operationId on every operation.
/// </summary>
public sealed class OpenApiTests(AllServicesFixture fixture) : IClassFixture<AllServicesFixture>
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options"];

    private async Task<(string Service, string Json)[]> Documents()
    {
        var documents = new List<(string, string)>();
        foreach (var host in fixture.Hosts)
        {
            using var client = host.Client();
            documents.Add((host.Name, await client.GetStringAsync(new Uri("openapi/v1.json", UriKind.Relative))));
        }
        return [.. documents];
    }

    [Fact]
    public async Task EveryDocument_Is31_WithBearerServersSummariesAndOperationIds()
    {
        var documents = await Documents();
        Assert.Equal(5, documents.Length);
        foreach (var (service, json) in documents)
        {
            var doc = JsonNode.Parse(json)!;
            Assert.StartsWith("3.1", doc["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal("http", doc["components"]!["securitySchemes"]!["bearer"]!["type"]!.GetValue<string>());
            Assert.NotEmpty(doc["servers"]!.AsArray());
            var operationIds = new HashSet<string>();
            foreach (var (path, item) in doc["paths"]!.AsObject())
            {
                foreach (var method in Methods)
                {
                    if (item![method] is not { } operation) continue;
                    Assert.False(string.IsNullOrWhiteSpace(operation["summary"]?.GetValue<string>()), $"{service} {method} {path} has no summary");
                    var id = operation["operationId"]?.GetValue<string>();
                    Assert.False(string.IsNullOrWhiteSpace(id), $"{service} {method} {path} has no operationId");
                    Assert.True(operationIds.Add(id!), $"{service}: operationId {id} is used twice");
                }
            }
        }
    }

    [Fact]
    public async Task EveryDocument_PassesTheRedoclyLinterWithZeroErrors()
    {
        var lintFolder = Path.Combine(Root(), "tests", "OpenApiLint");
        var redocly = Path.Combine(lintFolder, "node_modules", ".bin", "redocly");
        Assert.True(File.Exists(redocly), "Redocly is not installed: run `npm ci` in tests/OpenApiLint (./coordination test does).");

        var work = System.IO.Directory.CreateTempSubdirectory("openapi-lint-");
        var files = new List<string>();
        foreach (var (service, json) in await Documents())
        {
            var file = Path.Combine(work.FullName, service + ".json");
            await File.WriteAllTextAsync(file, json);
            files.Add(file);
        }

        var errors = 0;
        var problems = new List<string>();
        foreach (var file in files)
        {
            var (exitCode, report, stderr) = await Lint(redocly, lintFolder, file);
            var totals = report.GetProperty("totals").GetProperty("errors").GetInt32();
            errors += totals;
            problems.AddRange(report.GetProperty("problems").EnumerateArray()
                .Where(p => p.GetProperty("severity").GetString() == "error")
                .Select(p => $"{Path.GetFileName(file)} {p.GetProperty("ruleId").GetString()}: {p.GetProperty("message").GetString()}"));
            Assert.True(totals > 0 || exitCode == 0, $"Redocly failed on {Path.GetFileName(file)}: {stderr}");
        }
        Assert.True(errors == 0, $"Redocly found {errors} errors: {string.Join("; ", problems)}");
    }

    private static async Task<(int ExitCode, JsonElement Report, string Stderr)> Lint(string redocly, string folder, string file)
    {
        var start = new ProcessStartInfo(redocly) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "lint", "--format=json", "--config", Path.Combine(folder, "redocly.yaml"), file }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        using var report = JsonDocument.Parse(await stdout);
        return (process.ExitCode, report.RootElement.Clone(), await stderr);
    }

    private static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Coordination.sln"))) dir = dir.Parent;
        return dir!.FullName;
    }
}
