using System.Collections.Concurrent;
using System.Diagnostics;
using Coordination.Testing;
using Identity.Api.Accounts.Inviting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Security.Tests;

/// <summary>
/// The five services, started once for the whole suite, with the scenario of <see cref="ScenarioBuilder"/> built
/// through their real APIs before any test runs. Tests read the scenario and never change it (a refused mutation
/// that succeeded would be a finding in itself).
/// </summary>
public sealed class SecurityFixture : CoordinationFixture, IAsyncLifetime, IDisposable
{
    private readonly ActivityListener _spans;

    public SecurityFixture() : base(Services.All)
    {
        _spans = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => Spans.Add(Describe(a)),
        };
        ActivitySource.AddActivityListener(_spans);
    }

    /// <summary>Every log line of every service at Information and above (the console keeps Warning), for the canary scan.</summary>
    public ConcurrentQueue<string> LogLines { get; } = new();

    /// <summary>
    /// Every span of the run (the services' and the test's own) as text: its name, tags, status description, baggage, and
    /// its events (an exception's message, say) with their tags; its links' tags too.
    /// </summary>
    public ConcurrentBag<string> Spans { get; } = [];

    /// <summary>How long one fact may take to travel through RabbitMQ to another service's copies.</summary>
    public static readonly TimeSpan Delivery = TimeSpan.FromSeconds(60);

    public CapturedInvitations Invitations { get; } = new();

    public Scenario Scenario { get; private set; } = null!;

    public Clients Http { get; private set; } = null!;

    /// <summary>
    /// Identity's login form allows 20 tries a minute per address and every test browser is 127.0.0.1: the suite
    /// signs every actor in once, at the start, so tokens must outlive the run (5 minutes otherwise). Activation tries
    /// are limited per address too; the per-code limit is kept.
    /// </summary>
    protected override IEnumerable<KeyValuePair<string, string?>> Settings(string service) => service switch
    {
        "identity" => [new("Identity:AccessTokenLifetime", "02:00:00"), new("Identity:TriesPerAddress", "1000"), .. LogSettings],
        _ => LogSettings,
    };

    private static readonly KeyValuePair<string, string?>[] LogSettings =
        [new("Logging:LogLevel:Default", "Information"), new("Logging:Console:LogLevel:Default", "Warning")];

    /// <summary>This version of Identity sends invitations nowhere: the suite takes the set-password links as they are made.</summary>
    protected override void ConfigureServices(string service, IServiceCollection collection)
    {
        collection.AddLogging(l => l.AddProvider(new CapturingLoggerProvider(LogLines)));
        if (service != "identity") return;
        collection.RemoveAll<IInvitationSender>();
        collection.AddSingleton<IInvitationSender>(Invitations);
    }

    public static string Describe(Activity a)
    {
        var text = new System.Text.StringBuilder(a.DisplayName).Append(" | ").Append(a.OperationName);
        foreach (var (key, value) in a.TagObjects) text.Append(' ').Append(key).Append('=').Append(value);
        text.Append(" | status ").Append(a.Status).Append(' ').Append(a.StatusDescription);
        foreach (var (key, value) in a.Baggage) text.Append(" | baggage ").Append(key).Append('=').Append(value);
        foreach (var e in a.Events)
        {
            text.Append(" | event ").Append(e.Name);
            foreach (var (key, value) in e.Tags) text.Append(' ').Append(key).Append('=').Append(value);
        }
        foreach (var link in a.Links)
        {
            foreach (var (key, value) in link.Tags ?? []) text.Append(" | link ").Append(key).Append('=').Append(value);
        }
        return text.ToString();
    }

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        Http = new Clients(name => Host(name).BaseAddress);
        Scenario = await new ScenarioBuilder(this).BuildAsync();
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "security-scenario.txt"), string.Join('\n', Scenario.Timeline));
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync();

    public void Dispose() => _spans.Dispose();
}

/// <summary>
/// Keeps every log line the services write as an exporter would see it: the formatted message, the values of its state
/// (those the message does not show too), its exception, and the scopes it was written in (request, message, and any a
/// service opens) with their values.
/// </summary>
public sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines, () => _scopes);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    /// <summary>A scope's or a state's text: its ToString and, for structured ones, every name and value.</summary>
    public static string Text(object? state)
    {
        if (state is null) return "";
        var text = new System.Text.StringBuilder(state.ToString());
        if (state is IEnumerable<KeyValuePair<string, object?>> values)
        {
            foreach (var (key, value) in values) text.Append(' ').Append(key).Append('=').Append(value);
        }
        return text.ToString();
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines, Func<IExternalScopeProvider> scopes) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => scopes().Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = new System.Text.StringBuilder($"{logLevel} {category}: {formatter(state, exception)} | state {Text(state)} | {exception}");
            scopes().ForEachScope((scope, text) => text.Append(" | scope ").Append(Text(scope)), line);
            lines.Enqueue(line.ToString());
        }
    }
}

public sealed class CapturedInvitations : IInvitationSender
{
    public ConcurrentDictionary<string, Uri> Links { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Task SendAsync(Guid accountId, string login, Uri link, CancellationToken ct)
    {
        Links[login] = link;
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class SecurityCollection : ICollectionFixture<SecurityFixture>
{
    public const string Name = "security";
}
