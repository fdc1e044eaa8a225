using JasperFx;
using JasperFx.Events;
using Marten;

namespace Coordination.Bench.Baselines;

public sealed record RawEvent(Guid Id, string Need, int Seq);

/// <summary>
/// Marten's own append ceiling, with its fastest documented setting for the same durability (Quick append
/// mode): one event per new stream per session, and batched (100 new streams per session).
/// </summary>
public static class MartenAppend
{
    public static DocumentStore Store(BenchSettings settings) => DocumentStore.For(opts =>
    {
        opts.Connection(settings.BaselineDatabase);
        opts.DatabaseSchemaName = "bench_raw";
        opts.Events.DatabaseSchemaName = "bench_raw";
        opts.Events.StreamIdentity = StreamIdentity.AsGuid;
        opts.Events.AppendMode = EventAppendMode.Quick;
        opts.AutoCreateSchemaObjects = AutoCreate.All;
        opts.Events.AddEventType<RawEvent>();
    });

    /// <summary>Appends per second over the run's duration with <paramref name="sessions"/> concurrent sessions.</summary>
    public static async Task<double> AppendsPerSecond(BenchSettings settings, int sessions, int streamsPerSession)
    {
        using var store = Store(settings);
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        // Warm up connections and code paths before measuring.
        await Run(store, sessions, streamsPerSession, TimeSpan.FromSeconds(2));
        var (count, elapsed) = await Run(store, sessions, streamsPerSession, settings.Duration);
        return count / elapsed.TotalSeconds;
    }

    private static async Task<(long Count, TimeSpan Elapsed)> Run(DocumentStore store, int sessions, int streamsPerSession, TimeSpan duration)
    {
        long appended = 0;
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var workers = Enumerable.Range(0, sessions).Select(async _ =>
        {
            while (stopwatch.Elapsed < duration)
            {
                await using var session = store.LightweightSession();
                for (var i = 0; i < streamsPerSession; i++)
                {
                    var id = Guid.CreateVersion7();
                    session.Events.StartStream(id, new RawEvent(id, "acces-aux-droits", i));
                }
                await session.SaveChangesAsync();
                Interlocked.Add(ref appended, streamsPerSession);
            }
        });
        await Task.WhenAll(workers);
        return (appended, stopwatch.Elapsed);
    }
}
