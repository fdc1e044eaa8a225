using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Xunit;

namespace Appointments.Tests.Api;

[Collection(AppointmentsCollection.Name)]
public sealed class OpenApiTests(AppointmentsFixture fixture) : ApiTest(fixture)
{
    private static readonly string[] Routes =
    [
        "post /bodies/{bodyId}/opening-schedules", "get /bodies/{bodyId}/opening-schedules", "post /bodies/{bodyId}/opening-schedules/{id}/close",
        "get /slots", "post /appointments", "get /appointments/{id}", "post /appointments/{id}/reschedule", "post /appointments/{id}/cancel",
        "post /appointments/{id}/attendance", "get /persons/{personId}/appointments", "get /appointments/{id}/ics",
        "post /webhook-endpoints", "get /webhook-endpoints", "get /webhook-endpoints/{id}", "delete /webhook-endpoints/{id}",
        "get /webhook-endpoints/{id}/events",
    ];

    [Fact]
    public async Task Document_DescribesEveryRoute_AndLintsClean()
    {
        using var anonymous = Fixture.Client(Fixture.Appointments);
        var response = await anonymous.GetAsync(new Uri("openapi/v1.json", UriKind.Relative));
        var document = await Json(response, HttpStatusCode.OK);
        var operations = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(o => (Key: $"{o.Key} {p.Key}", Operation: o.Value!)))
            .ToDictionary(o => o.Key, o => o.Operation);
        Assert.Equal(Routes.Order(), operations.Keys.Order());
        var ids = new HashSet<string>();
        foreach (var (route, operation) in operations)
        {
            var id = operation["operationId"]?.GetValue<string>();
            Assert.True(id is { Length: > 0 } && char.IsLower(id[0]) && ids.Add(id), $"{route}: operationId '{id}'");
            Assert.False(string.IsNullOrEmpty(operation["summary"]?.GetValue<string>()), $"{route} has no summary");
            var answers = operation["responses"]!.AsObject().Select(r => r.Key).ToList();
            Assert.Contains(answers, a => a.StartsWith('2'));
            Assert.Contains("401", answers);
            Assert.Contains("403", answers);
            if (route.EndsWith("/close", StringComparison.Ordinal) || route.EndsWith("/reschedule", StringComparison.Ordinal)
                || route.EndsWith("/cancel", StringComparison.Ordinal) || route.EndsWith("/attendance", StringComparison.Ordinal))
            {
                Assert.Contains("412", answers);
                Assert.Contains("428", answers);
            }
        }
        Assert.All(document["tags"]!.AsArray(), t => Assert.False(string.IsNullOrEmpty(t!["description"]?.GetValue<string>())));

        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Coordination.sln"))) root = root.Parent;
        var lintFolder = Path.Combine(root!.FullName, "tests", "OpenApiLint");
        var redocly = Path.Combine(lintFolder, "node_modules", ".bin", "redocly");
        Assert.True(File.Exists(redocly), "Redocly is not installed: run `npm ci` in tests/OpenApiLint.");
        var file = Path.Combine(System.IO.Directory.CreateTempSubdirectory("appointments-openapi-").FullName, "appointments.json");
        await File.WriteAllTextAsync(file, document.ToJsonString());
        var start = new ProcessStartInfo(redocly) { WorkingDirectory = lintFolder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "lint", "--format=json", "--config", Path.Combine(lintFolder, "redocly.yaml"), file }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        using var report = JsonDocument.Parse(await stdout);
        var errors = report.RootElement.GetProperty("problems").EnumerateArray()
            .Where(p => p.GetProperty("severity").GetString() == "error")
            .Select(p => p.GetProperty("ruleId").GetString() + ": " + p.GetProperty("message").GetString()).ToList();
        Assert.True(errors.Count == 0, string.Join("; ", errors) + await stderr);
    }
}
