using System.Collections.Concurrent;
using System.Diagnostics;
using Coordination.Testing;
using Identity.Api.Accounts.Inviting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace EndToEnd.Tests;

/// <summary>
/// The five services on one database and vhost, with every log line and every span of the run captured
/// (to prove that the person's name never reaches them) and the invitation channel captured (this version
/// has no mail) so the story can bring in a professional of a third body.
/// </summary>
public sealed class StoryFixture : CoordinationFixture, IDisposable
{
    private readonly ActivityListener _spans;

    public StoryFixture() : base(Services.All)
    {
        _spans = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Spans.Add,
        };
        ActivitySource.AddActivityListener(_spans);
    }

    public ConcurrentQueue<string> LogLines { get; } = new();

    public ConcurrentBag<Activity> Spans { get; } = [];

    public ConcurrentDictionary<string, Uri> Invitations { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings(string service) =>
        // Everything is logged, down to Debug, so the canary scan has something to scan.
        [new("Logging:LogLevel:Default", "Debug"), new("Logging:LogLevel:Microsoft", "Information")];

    protected override void ConfigureServices(string service, IServiceCollection collection)
    {
        collection.AddLogging(l => l.AddProvider(new CapturingLoggerProvider(LogLines)));
        if (service == "identity")
        {
            collection.RemoveAll<IInvitationSender>();
            collection.AddSingleton<IInvitationSender>(new CapturedInvitations(Invitations));
        }
    }

    public void Dispose() => _spans.Dispose();

    private sealed class CapturedInvitations(ConcurrentDictionary<string, Uri> links) : IInvitationSender
    {
        public Task SendAsync(Guid accountId, string login, Uri link, CancellationToken ct)
        {
            links[login] = link;
            return Task.CompletedTask;
        }
    }
}

/// <summary>Keeps every formatted log line (and its exception) of every service of the run.</summary>
public sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
