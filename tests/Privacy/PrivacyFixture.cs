using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Demo;
using Coordination.Testing;
using Marten;
using Identity.Api.Accounts.Inviting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Xunit;

namespace Privacy.Tests;

/// <summary>
/// The whole system, started once for the proof and the export and erasure tests, with everything a person's data
/// could leak into captured from the first moment: every service's logs (at the level production writes them), every
/// span of the process, and what the services' OpenTelemetry exporters send — each service configured with an OTLP
/// endpoint as in production, so that the SDK and its instrumentations (ASP.NET Core, HttpClient, Npgsql, Marten,
/// MassTransit) are on, and pointed to <see cref="Telemetry"/>. The databases and the vhost are the fixture's own,
/// so they are scanned whole.
/// </summary>
public sealed class PrivacyFixture() : CoordinationFixture(Services.All), IAsyncLifetime
{
    // Cross-service delivery: seconds normally, at most the held-hole cap (45 s, ADR 0008) plus margin.
    public static readonly TimeSpan Delivery = TimeSpan.FromSeconds(60);

    public LogCapture Logs { get; } = new();

    public SpanCapture Spans { get; } = new();

    /// <summary>A string the exporters send in every request, so that the exported telemetry's scan shows it finds what is there.</summary>
    public const string ExportedMarker = "zqexportedmarker7";

    /// <summary>The collector the services export their traces, metrics and log records to (OTLP over HTTP).</summary>
    public OtlpReceiver Telemetry { get; } = new();

    /// <summary>A partner's webhook receiver (answers 200, keeps nothing): deliveries carry the person's display name.</summary>
    public WebhookReceiver Partner { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings(string service) => Exporting().Concat(service switch
    {
        // Production's levels (appsettings.json): Information, with the framework's own chatter at Warning.
        "identity" => [new("Logging:LogLevel:Default", "Information"), new("Identity:TriesPerAddress", "1000")],
        "appointments" => [new("Logging:LogLevel:Default", "Information"), new("Webhooks:PollMilliseconds", "50")],
        _ => [new("Logging:LogLevel:Default", "Information")],
    });

    /// <summary>
    /// The standard OpenTelemetry variables, as a deployment sets them: OTLP over HTTP to the test's receiver. The batch
    /// queues are made large enough that nothing is dropped between two exports (the SDK drops spans past a full queue).
    /// </summary>
    private IEnumerable<KeyValuePair<string, string?>> Exporting() =>
    [
        new("OTEL_EXPORTER_OTLP_ENDPOINT", Telemetry.Endpoint.ToString()),
        new("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        // A known string in every export request (a resource attribute): the scan of the exported bodies must find it.
        new("OTEL_RESOURCE_ATTRIBUTES", "coordination.test.marker=" + ExportedMarker),
        new("OTEL_BSP_SCHEDULE_DELAY", "500"),
        new("OTEL_BSP_MAX_QUEUE_SIZE", "200000"),
        new("OTEL_BLRP_SCHEDULE_DELAY", "500"),
        new("OTEL_BLRP_MAX_QUEUE_SIZE", "200000"),
    ];

    /// <summary>Every service's exporters send what they hold now (spans and log records ended so far, metrics as they stand).</summary>
    public void FlushTelemetry()
    {
        foreach (var host in Hosts)
        {
            Assert.True(host.Services.GetRequiredService<TracerProvider>().ForceFlush(30_000), $"{host.Name}'s spans not flushed");
            Assert.True(host.Services.GetRequiredService<LoggerProvider>().ForceFlush(30_000), $"{host.Name}'s log records not flushed");
            Assert.True(host.Services.GetRequiredService<MeterProvider>().ForceFlush(30_000), $"{host.Name}'s metrics not flushed");
        }
    }

    /// <summary>The set-password links Identity sends to invited professionals (this version has no mail).</summary>
    public CapturedInvitations Invitations { get; } = new();

    protected override void ConfigureServices(string service, IServiceCollection collection)
    {
        collection.AddSingleton<ILoggerProvider>(Logs);
        if (service != "identity") return;
        collection.RemoveAll<IInvitationSender>();
        collection.AddSingleton<IInvitationSender>(Invitations);
    }

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await AssertEventually(async () =>
        {
            foreach (var host in new[] { Consents, Referrals, Appointments })
            {
                await using var session = Store(host).QuerySession();
                var bodies = await session.LoadManyAsync<BodyCopy>(DemoData.Bodies.Select(b => b.Id).ToArray());
                if (bodies.Count != DemoData.Bodies.Length) return false;
            }
            return true;
        }, TimeSpan.FromSeconds(60), "the demo bodies in every service's copies");
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Partner.DisposeAsync();
        await Telemetry.DisposeAsync();
        Spans.Dispose();
    }

    private readonly Lock _webhookGate = new();
    private Task? _webhook;

    /// <summary>The CCAS coordinator registers the partner's endpoint for every appointment topic, once per fixture.</summary>
    public Task EnsureWebhookAsync()
    {
        lock (_webhookGate) return _webhook ??= RegisterWebhookAsync();
    }

    private async Task RegisterWebhookAsync()
    {
        using var coordinator = await UserClient(Appointments, PrivacyKit.Coordinator);
        await (await coordinator.Post("webhook-endpoints", new
        {
            url = Partner.Url.ToString(),
            secret = "secret-partage-avec-le-partenaire",
            topics = new[] { "appointment.created", "appointment.updated", "appointment.destroyed" },
        })).Expect(System.Net.HttpStatusCode.Created);
    }

    public static IDocumentStore Store(IServiceHost host) => host.Services.GetRequiredService<IDocumentStore>();

    public Task Eventually(Func<Task<bool>> probe, string because) => AssertEventually(probe, Delivery, because);
}

[CollectionDefinition(Name)]
public sealed class PrivacyCollection : ICollectionFixture<PrivacyFixture>
{
    public const string Name = "privacy";
}

public sealed class CapturedInvitations : IInvitationSender
{
    public System.Collections.Concurrent.ConcurrentDictionary<string, Uri> Links { get; } = new();

    public Task SendAsync(Guid accountId, string login, Uri link, CancellationToken ct)
    {
        Links[login] = link;
        return Task.CompletedTask;
    }
}

/// <summary>A real HTTP listener standing for a partner's system: it accepts every delivery and counts them.</summary>
public sealed class WebhookReceiver : LoopbackHttpServer
{
    private int _received;

    public Uri Url => new($"http://127.0.0.1:{Port}/hooks");

    public int Received => Volatile.Read(ref _received);

    protected override async Task HandleAsync(System.Net.HttpListenerContext context)
    {
        await context.Request.InputStream.CopyToAsync(Stream.Null);
        Interlocked.Increment(ref _received);
        context.Response.StatusCode = 200;
        context.Response.Close();
    }
}
