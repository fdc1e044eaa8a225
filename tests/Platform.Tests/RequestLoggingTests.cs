using System.Net;
using Coordination.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Platform.Tests;

/// <summary>
/// Directory with Microsoft.AspNetCore logged at Information, as an operator chasing a problem would set it: ASP.NET
/// Core's request lines (which print the query string) must still stay off, while the rest of that category logs.
/// </summary>
public sealed class RequestLoggingFixture() : CoordinationFixture(Services.Identity | Services.Directory)
{
    public LogCapture Logs { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings(string service) =>
        service == "directory" ? [new("Logging:LogLevel:Microsoft.AspNetCore", "Information")] : [];

    protected override void ConfigureServices(string service, IServiceCollection collection)
    {
        if (service == "directory") collection.AddSingleton<ILoggerProvider>(Logs);
    }
}

public sealed class RequestLoggingTests(RequestLoggingFixture fixture) : IClassFixture<RequestLoggingFixture>
{
    [Fact]
    public async Task WithAspNetCoreAtInformation_TheQueryStringOfARequestIsNeverLogged()
    {
        const string marker = "Zqquerymark";
        using var client = await fixture.AdminClient(fixture.Directory);
        using var response = await client.GetAsync(new Uri($"bodies?q={marker}&commune=11262", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // The level took effect (the endpoint's own Information lines are there) and no line carries the query.
        await CoordinationFixture.AssertEventually(() => Task.FromResult(fixture.Logs.Entries.Any(e =>
            e.Level == LogLevel.Information && e.Category.StartsWith("Microsoft.AspNetCore.Routing", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(10), "an Information line of Microsoft.AspNetCore");
        Assert.DoesNotContain(fixture.Logs.Entries, e => e.Text.Contains(marker, StringComparison.Ordinal));
        Assert.DoesNotContain(fixture.Logs.Entries, e => e.Category == "Microsoft.AspNetCore.Hosting.Diagnostics" && e.Level < LogLevel.Warning);
    }
}
