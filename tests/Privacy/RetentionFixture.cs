using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Demo;
using Coordination.Testing;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Privacy.Tests;

/// <summary>
/// Identity, Directory and Consents, Consents on a fake clock: the retention limits and the exports' 24 hours are
/// tested by moving that clock. Tokens are checked on it too, so each test first sets it back to the real time, does its
/// requests, and only then moves it on; the retention job's own period is long enough never to fire meanwhile (the
/// tests run it themselves).
/// </summary>
public sealed class RetentionFixture() : CoordinationFixture(Services.Identity | Services.Directory | Services.Consents), IAsyncLifetime
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>Consents' log lines; the retention job's at Information, as production writes them.</summary>
    public LogCapture Logs { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings(string service) =>
        service == "consents"
            ? [new("Privacy:Retention:Every", "36500.00:00:00"), new("Logging:LogLevel:Consents.Api.Privacy.Retention", "Information")]
            : [];

    protected override void ConfigureServices(string service, IServiceCollection collection)
    {
        if (service != "consents") return;
        collection.RemoveAll<TimeProvider>();
        collection.AddSingleton<TimeProvider>(Clock);
        collection.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(Logs);
    }

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await AssertEventually(async () =>
        {
            await using var session = Store.QuerySession();
            var bodies = await session.LoadManyAsync<BodyCopy>(DemoData.Bodies.Select(b => b.Id).ToArray());
            return bodies.Count == DemoData.Bodies.Length;
        }, TimeSpan.FromSeconds(60), "the demo bodies in Consents' copies");
    }

    public IDocumentStore Store => Consents.Services.GetRequiredService<IDocumentStore>();

    /// <summary>Back to the real time (timers untouched), so that tokens issued now are valid for Consents.</summary>
    public void Now() => Clock.AdjustTime(DateTimeOffset.UtcNow);
}

[CollectionDefinition(Name)]
public sealed class RetentionCollection : ICollectionFixture<RetentionFixture>
{
    public const string Name = "retention";
}
