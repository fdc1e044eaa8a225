using System.Collections.Concurrent;
using System.Text;
using Appointments.Api.Webhooks.Outbox;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Audit;
using Coordination.ServiceDefaults;
using Coordination.ServiceDefaults.Messaging;
using Marten;
using Microsoft.Extensions.Http.Resilience;
using Npgsql;
using Polly;

namespace Appointments.Api.Webhooks.Delivering;

public sealed record WebhookOptions(TimeSpan PollInterval, TimeSpan RetryDelay, TimeSpan MaxRetryDelay, TimeSpan AttemptTimeout)
{
    public static WebhookOptions From(IConfiguration c) => new(
        TimeSpan.FromMilliseconds(c.GetValue<int?>("Webhooks:PollMilliseconds") ?? 500),
        TimeSpan.FromMilliseconds(c.GetValue<int?>("Webhooks:RetryDelayMilliseconds") ?? 2000),
        TimeSpan.FromSeconds(c.GetValue<int?>("Webhooks:MaxRetryDelaySeconds") ?? 600),
        TimeSpan.FromSeconds(c.GetValue<int?>("Webhooks:AttemptTimeoutSeconds") ?? 10));
}

public static class WebhookSetup
{
    public const string HttpClientName = "webhooks";

    /// <summary>
    /// The one retry layer of webhooks: the resilience handler retries each delivery with exponential backoff until the
    /// partner answers 2xx, each attempt bounded by a timeout. The worker never retries on its own, never skips ahead.
    /// </summary>
    public static void AddWebhooks(this IHostApplicationBuilder builder)
    {
        var options = WebhookOptions.From(builder.Configuration);
        builder.Services.AddSingleton(options);
        builder.Services.AddHttpClient(HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler("webhook-delivery", pipeline =>
            {
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = int.MaxValue,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = options.RetryDelay,
                    MaxDelay = options.MaxRetryDelay,
                    ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e
                        ? e is not OperationCanceledException
                        : args.Outcome.Result is { IsSuccessStatusCode: false }),
                });
                pipeline.AddTimeout(options.AttemptTimeout);
            });
        if (!builder.Configuration.GetValue<bool>(MessagingSetup.DeployTopologyOnlyKey)) builder.Services.AddHostedService<WebhookDeliveryWorker>();
    }
}

/// <summary>
/// Sends each endpoint's deliveries in sequence order, one at a time. One pump per endpoint, on one node at a time
/// (a PostgreSQL advisory lock held for the pump's life), always sending the lowest undelivered sequence: a failing
/// delivery holds back the ones after it. Each delivery is logged in the person's access log as the body's read.
/// </summary>
public sealed class WebhookDeliveryWorker(IDocumentStore store, IHttpClientFactory clients, IConfiguration configuration, WebhookOptions options,
    TimeProvider time, ServiceInfo service, ILogger<WebhookDeliveryWorker> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<Guid, Task> _pumps = new();
    private readonly string _connectionString = configuration.GetConnectionString("Postgres")
        ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not configured.");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.PollInterval, time);
        do
        {
            try
            {
                await using var session = store.QuerySession();
                var pending = await session.Query<WebhookDelivery>().Where(d => d.DeliveredAt == null).Select(d => d.EndpointId).Distinct()
                    .ToListAsync(stoppingToken);
                foreach (var endpointId in pending)
                {
                    if (_pumps.TryGetValue(endpointId, out var running) && !running.IsCompleted) continue;
                    _pumps[endpointId] = Task.Run(() => Pump(endpointId, stoppingToken), stoppingToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Looking for pending webhook deliveries failed; trying again at the next poll");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task Pump(Guid endpointId, CancellationToken ct)
    {
        try
        {
            await using var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync(ct);
            if (!await TryLock(connection, endpointId, ct)) return;
            var client = clients.CreateClient(WebhookSetup.HttpClientName);
            while (!ct.IsCancellationRequested)
            {
                await using var session = store.LightweightSession();
                var next = await session.Query<WebhookDelivery>().Where(d => d.EndpointId == endpointId && d.DeliveredAt == null)
                    .OrderBy(d => d.Sequence).FirstOrDefaultAsync(ct);
                if (next is null) return;
                var endpoint = await session.LoadAsync<WebhookEndpointDetails>(endpointId, ct);
                if (endpoint is null) return;
                if (!endpoint.Live)
                {
                    // Queued while the endpoint was being removed: never sent, and no pump comes back for it.
                    session.DeleteWhere<WebhookDelivery>(d => d.EndpointId == endpointId && d.DeliveredAt == null);
                    await session.SaveChangesAsync(ct);
                    return;
                }

                using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
                {
                    Content = new StringContent(next.Body, Encoding.UTF8, "application/json"),
                };
                request.Headers.Add(WebhookSignature.Header, WebhookSignature.Sign(endpoint.Secret, next.Body));
                using var response = await client.SendAsync(request, ct);
                response.EnsureSuccessStatusCode();

                session.Store(next with { DeliveredAt = time.GetUtcNow() });
                Log(session, endpoint, next);
                await session.SaveChangesAsync(ct);
                logger.LogDebug("Delivered webhook {Sequence} to endpoint {EndpointId}", next.Sequence, endpointId);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down: the delivery stays pending and is sent again by the next pump.
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "The webhook pump of endpoint {EndpointId} stopped; it starts again at the next poll", endpointId);
        }
    }

    /// <summary>The delivery showed the booking to the body's endpoint: the person's access log records it as the body's read.</summary>
    private void Log(IDocumentSession session, WebhookEndpointDetails endpoint, WebhookDelivery delivery)
    {
        var accessId = Guid.CreateVersion7();
        string[] shown = delivery.ShowsPerson ? [Categories.Appointments, Categories.Companion, Categories.Identity] : [];
        string[] withheld = delivery.ShowsPerson ? [] : [Categories.Appointments, Categories.Companion, Categories.Identity];
        session.Events.StartStream<PersonDataRead>(accessId, new PersonDataRead(accessId, delivery.PersonId, $"webhook-endpoint:{endpoint.Id}",
            $"Webhook {new Uri(endpoint.Url).Host}", endpoint.BodyId, endpoint.RegisteredBy.Role, service.Name, $"WEBHOOK {delivery.Topic}",
            shown, withheld, delivery.ShowsPerson ? Bases.Booking : Bases.Denied, delivery.ConsentId));
    }

    private static async Task<bool> TryLock(NpgsqlConnection connection, Guid endpointId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("select pg_try_advisory_lock($1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = BitConverter.ToInt64(endpointId.ToByteArray(), 8) });
        return await command.ExecuteScalarAsync(ct) is true;
    }
}
