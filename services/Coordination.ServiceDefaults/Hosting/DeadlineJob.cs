using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coordination.ServiceDefaults.Hosting;

/// <summary>
/// A job that acts when something falls due (a grant's end, a referral's due date): it handles what is due, then
/// sleeps on the injected clock until the next due time it was told of, at most <see cref="LongestSleep"/> so that
/// what other nodes recorded meanwhile is seen. A failure is logged and retried after a few seconds; the job never
/// stops before the host does. Enforcement never waits for such a job: it only records what already holds.
/// </summary>
public abstract class DeadlineJob(TimeProvider time, ILogger logger) : BackgroundService
{
    public static readonly TimeSpan LongestSleep = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan AfterFailure = TimeSpan.FromSeconds(5);

    protected TimeProvider Time { get; } = time;

    protected ILogger Logger { get; } = logger;

    /// <summary>What the job does, in a few words, for its log lines.</summary>
    protected abstract string Work { get; }

    /// <summary>Handles everything due now; returns the next due time, if any.</summary>
    public abstract Task<DateTimeOffset?> RunDueAsync(CancellationToken ct);

    /// <summary>Sleeps for the delay; a job that can be woken earlier overrides it.</summary>
    protected virtual Task WaitAsync(TimeSpan delay, CancellationToken ct) => Task.Delay(delay, Time, ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            DateTimeOffset? next;
            try
            {
                next = await RunDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Logger.LogWarning(e, "{Work} failed; retrying shortly", Work);
                next = Time.GetUtcNow() + AfterFailure;
            }
            // Read the clock as late as possible: what was recorded meanwhile is due no earlier than it says.
            var delay = next is { } due ? due - Time.GetUtcNow() : LongestSleep;
            delay = delay < TimeSpan.Zero ? TimeSpan.Zero : delay > LongestSleep ? LongestSleep : delay;
            try
            {
                await WaitAsync(delay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
