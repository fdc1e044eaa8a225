using System.Diagnostics;
using Marten;

namespace Consents.Api.Privacy.Exporting;

/// <summary>
/// Deletes exports, and the parts they were assembled from, 24 hours after they were requested (on the injected
/// clock). Reads never serve an expired export whatever this job did; the job is what removes the data.
/// </summary>
public sealed class ExportCleanupJob(IDocumentStore store, TimeProvider time, IConfiguration configuration, ILogger<ExportCleanupJob> logger)
    : BackgroundService
{
    public TimeSpan Every => configuration.GetValue<TimeSpan?>("Privacy:Exports:CleanupEvery") ?? TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, time);
        do
        {
            try
            {
                await DeleteExpiredAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Deleting expired exports failed; retrying at the next run");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Deletes what has expired; returns how many exports went.</summary>
    public async Task<int> DeleteExpiredAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var now = time.GetUtcNow();
        await using var session = store.LightweightSession();
        var exports = await session.Query<PersonExportRecord>().CountAsync(e => e.ExpiresAt <= now, ct);
        var parts = await session.Query<PersonExportPartRecord>().CountAsync(p => p.ExpiresAt <= now, ct);
        if (exports + parts == 0) return 0;
        session.DeleteWhere<PersonExportRecord>(e => e.ExpiresAt <= now);
        session.DeleteWhere<PersonExportPartRecord>(p => p.ExpiresAt <= now);
        await session.SaveChangesAsync(ct);
        logger.LogInformation("Deleted {Exports} expired exports and {Parts} parts in {DurationMs} ms", exports, parts,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return exports;
    }
}
