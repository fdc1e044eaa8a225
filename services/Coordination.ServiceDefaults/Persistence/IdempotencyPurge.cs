using Coordination.ServiceDefaults.Http;
using Marten;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coordination.ServiceDefaults.Persistence;

/// <summary>
/// Deletes stored first answers once their 24-hour window has passed: they hold response bodies, which must
/// not outlive their purpose.
/// </summary>
public sealed class IdempotencyPurge(IDocumentStore store, TimeProvider time, ILogger<IdempotencyPurge> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, time);
        do
        {
            try
            {
                var cutoff = time.GetUtcNow() - Idempotency.Window;
                await using var session = store.LightweightSession();
                session.DeleteWhere<IdempotencyRecord>(r => r.CreatedAt < cutoff);
                await session.SaveChangesAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Purging expired idempotency records failed; retrying in an hour");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
