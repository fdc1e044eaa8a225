using System.Diagnostics;
using System.Diagnostics.Metrics;
using Coordination.Secrecy.Gate.Audit;
using Coordination.ServiceDefaults.Telemetry;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Coordination.Secrecy.Gate.Privacy;

/// <summary>
/// The reads each service records (<see cref="PersonDataRead"/>, one stream per read) are the trail behind the person's
/// access log in Consents. They follow the access log's retention limit (docs/adr/0072): past it, the read's stream is
/// deleted with its event. A read is published long before (the outbox runs in seconds), so nothing unpublished goes.
/// </summary>
public static class AccessTrail
{
    public const string MonthsSetting = "Privacy:Retention:AccessLogMonths";

    /// <summary>Marten's name for <see cref="PersonDataRead"/> in the event table (its default: the type's name in snake case).</summary>
    public const string EventTypeName = "person_data_read";

    /// <summary>Deletes the reads recorded before <paramref name="cutoff"/>; returns how many went.</summary>
    public static async Task<int> DropBeforeAsync(IDocumentStore store, DateTimeOffset cutoff, CancellationToken ct)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        // Streams cascade to their events; a read's stream holds that one read.
        await using var command = new NpgsqlCommand(
            $"with old as (delete from {schema}.mt_streams s where s.id in (select e.stream_id from {schema}.mt_events e " +
            "where e.type = $1 and e.timestamp < $2) returning 1) select count(*)::int from old", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = EventTypeName });
        command.Parameters.Add(new NpgsqlParameter { Value = cutoff });
        return (int)(await command.ExecuteScalarAsync(ct) ?? 0);
    }
}

/// <summary>
/// The access-trail retention's measures, on the privacy meter (<see cref="TelemetrySetup.PrivacyMeter"/>) beside
/// Consents' retention run: the reads dropped and each run's duration — counts and durations, never who.
/// </summary>
public sealed class AccessTrailMetrics
{
    public const string ReadsDropped = "coordination.privacy.reads_dropped";
    public const string Duration = "coordination.privacy.access_trail_run.duration";

    private readonly Counter<long> _dropped;
    private readonly Histogram<double> _duration;

    public AccessTrailMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(TelemetrySetup.PrivacyMeter);
        _dropped = meter.CreateCounter<long>(ReadsDropped, description: "Recorded reads dropped by the retention limit");
        _duration = meter.CreateHistogram<double>(Duration, "ms", "Duration of an access-trail retention run");
    }

    public void Record(int dropped, TimeSpan duration)
    {
        _dropped.Add(dropped);
        _duration.Record(duration.TotalMilliseconds);
    }
}

/// <summary>
/// Drops the trail of reads past the access log's limit (12 months, <see cref="AccessTrail.MonthsSetting"/>), every
/// <c>Privacy:Retention:Every</c> (a day), logged and measured (<see cref="AccessTrailMetrics"/>) with the count and
/// duration. In the services other than Consents, whose retention job does the same for its own trail.
/// </summary>
public sealed class AccessTrailRetentionJob(IDocumentStore store, TimeProvider time, IConfiguration configuration,
    AccessTrailMetrics metrics, ILogger<AccessTrailRetentionJob> logger) : BackgroundService
{
    private int Months => configuration.GetValue<int?>(AccessTrail.MonthsSetting) ?? 12;

    private TimeSpan Every => configuration.GetValue<TimeSpan?>("Privacy:Retention:Every") ?? TimeSpan.FromDays(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Dropping old reads failed; retrying at the next run");
            }
            try
            {
                // A timer cannot wait more than ~49 days: a longer period is waited for in steps of a day.
                var next = time.GetUtcNow() + Every;
                for (var left = Every; left > TimeSpan.Zero; left = next - time.GetUtcNow())
                {
                    await Task.Delay(left < TimeSpan.FromDays(1) ? left : TimeSpan.FromDays(1), time, stoppingToken);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var dropped = await AccessTrail.DropBeforeAsync(store, time.GetUtcNow().AddMonths(-Months), ct);
        var duration = Stopwatch.GetElapsedTime(started);
        metrics.Record(dropped, duration);
        logger.LogInformation("Dropped {Reads} recorded reads older than {AccessLogMonths} months in {DurationMs} ms", dropped, Months,
            duration.TotalMilliseconds);
        return dropped;
    }
}

public static class AccessTrailSetup
{
    public static IServiceCollection AddAccessTrailRetention(this IServiceCollection services) =>
        services.AddMetrics().AddSingleton<AccessTrailMetrics>().AddSingleton<AccessTrailRetentionJob>()
            .AddHostedService(sp => sp.GetRequiredService<AccessTrailRetentionJob>());
}
