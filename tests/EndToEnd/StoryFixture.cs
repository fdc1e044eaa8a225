using System.Collections.Concurrent;
using Coordination.Testing;
using Identity.Api.Accounts.Inviting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace EndToEnd.Tests;

/// <summary>
/// The five services on one database and vhost, with every log line (its message, values, scopes and exception) and
/// every span (name, tags, events, status, links, baggage) of the run captured, to prove that the person's data never
/// reaches them; and the invitation channel captured (this version has no mail) so the story can bring in a
/// professional of a third body.
/// </summary>
public sealed class StoryFixture : CoordinationFixture, IDisposable
{
    public StoryFixture() : base(Services.All)
    {
    }

    /// <summary>
    /// One capture per service: a capture reads the scopes of the logger factory it is registered in, so one capture
    /// shared by the five services would see only the scopes of the last one started.
    /// </summary>
    public ConcurrentDictionary<string, LogCapture> Logs { get; } = new();

    /// <summary>Listening from construction, before any service starts.</summary>
    public SpanCapture Spans { get; } = new();

    public ConcurrentDictionary<string, Uri> Invitations { get; } = new();

    public IReadOnlyList<CapturedLog> LogEntries => Logs.Values.SelectMany(l => l.Entries).ToList();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings(string service) =>
        // Everything is logged, down to Debug, so the canary scan has something to scan.
        [new("Logging:LogLevel:Default", "Debug"), new("Logging:LogLevel:Microsoft", "Information")];

    protected override void ConfigureServices(string service, IServiceCollection collection)
    {
        collection.AddSingleton<ILoggerProvider>(Logs.GetOrAdd(service, _ => new LogCapture()));
        if (service == "identity")
        {
            collection.RemoveAll<IInvitationSender>();
            collection.AddSingleton<IInvitationSender>(new CapturedInvitations(Invitations));
        }
    }

    public void Dispose() => Spans.Dispose();

    private sealed class CapturedInvitations(ConcurrentDictionary<string, Uri> links) : IInvitationSender
    {
        public Task SendAsync(Guid accountId, string login, Uri link, CancellationToken ct)
        {
            links[login] = link;
            return Task.CompletedTask;
        }
    }
}
