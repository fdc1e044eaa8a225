using System.Diagnostics;

namespace Coordination.Bench.Infrastructure;

/// <summary>What one open-loop step did: offered and achieved rates, errors, latency from the scheduled instant.</summary>
public sealed record StepResult(double Offered, int Scheduled, int Succeeded, int Failed, int Skipped, TimeSpan Elapsed, Latency Latency,
    IReadOnlyDictionary<string, int> Errors)
{
    /// <summary>The kinds of failure and how many of each ("HTTP 404", an exception's type, "skipped: in-flight cap").</summary>
    public string ErrorSummary => string.Join(", ", Errors.OrderByDescending(e => e.Value).Select(e => $"{e.Key} × {e.Value}"));

    public double Achieved => Succeeded / Elapsed.TotalSeconds;

    /// <summary>Failed answers and requests that could not be sent because the in-flight cap was reached.</summary>
    public double ErrorRate => Scheduled == 0 ? 0 : (Failed + Skipped) / (double)Scheduled;

    /// <summary>Sustained: at least 95 % of the offered rate achieved with less than 1 % errors.</summary>
    public bool Sustained => Achieved >= 0.95 * Offered && ErrorRate < 0.01;
}

/// <summary>
/// An open-loop load: requests are scheduled at fixed intervals whatever the answers do (no coordinated
/// omission: latency counts from the scheduled instant), with the number in flight capped; a request that
/// would exceed the cap is not sent and counts as an error.
/// </summary>
public static class OpenLoop
{
    private static readonly AsyncLocal<System.Collections.Concurrent.ConcurrentDictionary<string, int>?> CurrentErrors = new();

    /// <summary>Notes why a request of the current step failed; returns false so that a request can end with it.</summary>
    public static bool Fail(string why)
    {
        CurrentErrors.Value?.AddOrUpdate(why, 1, (_, n) => n + 1);
        return false;
    }

    /// <summary>True for the expected status; otherwise notes the status as the failure.</summary>
    public static bool Expect(HttpResponseMessage response, System.Net.HttpStatusCode expected) =>
        response.StatusCode == expected || Fail($"HTTP {(int)response.StatusCode}");

    public static async Task<StepResult> Run(double rate, TimeSpan duration, int maxInFlight, Func<int, CancellationToken, Task<bool>> request,
        CancellationToken ct = default)
    {
        var latency = new Latency();
        var errors = new System.Collections.Concurrent.ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        CurrentErrors.Value = errors;
        int succeeded = 0, failed = 0, skipped = 0, inFlight = 0;
        var total = (int)Math.Round(rate * duration.TotalSeconds);
        var interval = TimeSpan.FromSeconds(1 / rate);
        var pending = new List<Task>(total);
        var clock = new PreciseWait();
        // The requests are scheduled from a thread of their own that sleeps until each instant (PreciseWait): the
        // generator's own CPU stays small and no request waits behind the pool's other work to be sent.
        await Task.Factory.StartNew(() =>
        {
            for (var i = 0; i < total && !ct.IsCancellationRequested; i++)
            {
                var due = interval * i;
                clock.Until(due);
                if (Interlocked.Increment(ref inFlight) > maxInFlight)
                {
                    Interlocked.Decrement(ref inFlight);
                    Interlocked.Increment(ref skipped);
                    Fail("skipped: in-flight cap");
                    continue;
                }
                var index = i;
                pending.Add(Task.Run(async () =>
                {
                    try
                    {
                        var ok = await request(index, ct);
                        latency.Record(clock.Elapsed - due);
                        Interlocked.Increment(ref ok ? ref succeeded : ref failed);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException or Npgsql.NpgsqlException)
                    {
                        Interlocked.Increment(ref failed);
                        Fail(e.GetType().Name);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref inFlight);
                    }
                }, ct));
            }
        }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await Task.WhenAll(pending);
        // Achieved throughput counts the answers over the time it took to get them all.
        return new StepResult(rate, total, succeeded, failed, skipped, clock.Elapsed, latency, errors);
    }

    /// <summary>
    /// An endpoint beside its raw query, in the same run: both warmed, then the raw query alone at the rate, then
    /// the endpoint alone at the rate — one after the other, so that neither load slows the other's measure.
    /// A service the bench has just restarted spends its first thousands of requests compiling: Referrals used 8.5 ms
    /// of CPU per follow-up read over its first 1 500 reads, 5.5 over the next 1 500, then 1.9 (stop 15, two clients in
    /// a closed loop). Offered 200/s while cold, it saturates and stays behind, and its background compiler gets no CPU
    /// to finish: the measure then says nothing about its steady state. So each is first warmed in a closed loop
    /// (<see cref="ClosedWarmRequests"/> requests, two at a time: never more load than the machine takes), then at
    /// the rate it is measured at, unrecorded, for 10 s just before its measure (opening the pooled connections the
    /// rate needs, each a SCRAM handshake). Commands whose effects the measure counts (bookings of contested seats)
    /// are warmed only gently (<paramref name="warmAtRate"/> false). <paramref name="beforeEachMeasure"/> puts back what a
    /// warm-up changed that the measure's conditions name (the readers' own reads in their access logs).
    /// </summary>
    public static async Task<(StepResult Http, StepResult Raw)> Beside(double rate, TimeSpan duration, int maxInFlight,
        Func<int, CancellationToken, Task<bool>> http, Func<int, CancellationToken, Task<bool>> raw, bool warmAtRate = true,
        Func<Task>? beforeEachMeasure = null)
    {
        beforeEachMeasure ??= () => Task.CompletedTask;
        var gentle = TimeSpan.FromSeconds(3);
        var atRate = TimeSpan.FromSeconds(10);
        if (warmAtRate)
        {
            await Closed(ClosedWarmRequests, 2, http);
            await Closed(ClosedWarmRequests / 4, 2, raw);
        }
        await Run(Math.Min(rate, 30), gentle, maxInFlight, http);
        if (warmAtRate) await Run(rate, atRate, maxInFlight, raw);
        else await Run(Math.Min(rate, 30), gentle, maxInFlight, raw);
        await beforeEachMeasure();
        var rawResult = await Run(rate, duration, maxInFlight, raw);
        if (warmAtRate) await Run(rate, atRate, maxInFlight, http);
        await beforeEachMeasure();
        var httpResult = await Run(rate, duration, maxInFlight, http);
        return (httpResult, rawResult);
    }

    /// <summary>Requests in the closed-loop warm-up of a read: past the 3 000 after which Referrals' CPU per read settles.</summary>
    public const int ClosedWarmRequests = 4000;

    /// <summary>Sends <paramref name="count"/> requests, <paramref name="concurrency"/> at a time, each as soon as one is answered; records nothing.</summary>
    public static async Task Closed(int count, int concurrency, Func<int, CancellationToken, Task<bool>> request)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < count)
            {
                try
                {
                    await request(index, CancellationToken.None);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException or Npgsql.NpgsqlException)
                {
                    // A warm-up records nothing; the measure that follows counts failures.
                }
            }
        }));
    }
}
