using System.Diagnostics;
using System.Net;
using Coordination.Bench.Infrastructure;
using JasperFx.Events.Daemon;
using Marten;
using Npgsql;
using Referrals.Api.Accompaniments.Listing;
using Referrals.Api.ContactPersons.Listing;
using Referrals.Api.FollowUp.GettingFollowUp;
using Referrals.Api.Referrals.GettingDetails;

namespace Coordination.Bench.Sections;

/// <summary>One size of the follow-up read: the service over HTTP and the raw read of the same documents, same window.</summary>
public sealed record ReadAtSize(long SeededEvents, long StoreEvents, StepResult Http, StepResult Raw, Latency HttpAlone, Latency RawAlone);

public sealed record RebuildResult(long Events, TimeSpan Elapsed, IReadOnlyList<(string Projection, TimeSpan Elapsed)> Projections)
{
    public double PerSecond => Events / Elapsed.TotalSeconds;
}

/// <summary>
/// GET /persons/{id}/follow-up at 200 requests/s (open loop, persons drawn at random among the seeded ones) with
/// Referrals' store seeded at 10³, 10⁵ (and 10⁶ on the full scale) events, beside the raw PostgreSQL read of the
/// same documents at the same rate in the same window. Referrals is stopped while its store is seeded and its
/// follow-up projections rebuilt (the rebuild is measured), and its outbox is moved past the seeded history
/// (seeded events are not news for the other services) before it starts again.
/// </summary>
public static class FollowUpReads
{
    public const double Rate = 200;
    private const int MaxInFlight = 64;
    public const string Reader = "social-worker@demo";

    public sealed record Result(IReadOnlyList<ReadAtSize> Sizes, RebuildResult? Rebuild);

    public static async Task<Result> Run(BenchSettings settings, Clients clients, SystemProcesses processes, ServiceStores stores)
    {
        long[] sizes = settings.Full ? [1_000, 100_000, 1_000_000] : [1_000, 100_000];
        var store = stores.Referrals();
        await processes.Stop("Referrals");
        var results = new List<ReadAtSize>();
        RebuildResult? rebuild = null;
        try
        {
            Console.WriteLine("    cleaning earlier seeds");
            await FollowUpSeed.Clean(settings);
            long persons = 0;
            foreach (var size in sizes)
            {
                if (results.Count > 0) await processes.Stop("Referrals");
                var target = size / FollowUpSeed.EventsPerPerson;
                var clock = Stopwatch.StartNew();
                await FollowUpSeed.Seed(store, persons, target);
                persons = target;
                Console.WriteLine($"    seeded {size:N0} events ({persons:N0} persons) in {clock.Elapsed.TotalSeconds:0} s");
                rebuild = await Rebuild(store, settings);
                Console.WriteLine($"    rebuilt the follow-up projections from {rebuild.Events:N0} events in {rebuild.Elapsed.TotalSeconds:0.0} s ({rebuild.PerSecond:N0} events/s)");
                await SkipSeededHistory(settings);
                await Analyze(settings);
                await processes.Start("Referrals", 5103);
                var read = await Measure(settings, clients, store, persons, size, rebuild.Events);
                results.Add(read);
                Console.WriteLine($"    {size,9:N0} events: HTTP p50 {read.Http.Latency.Ms(50):0.0} p99 {read.Http.Latency.Ms(99):0.0} ms " +
                    $"({read.Http.Achieved:0}/s, errors {read.Http.ErrorRate * 100:0.0} % {read.Http.ErrorSummary}); raw p50 {read.Raw.Latency.Ms(50):0.00} p99 {read.Raw.Latency.Ms(99):0.00} ms");
            }
        }
        finally
        {
            if (processes.Pid("Referrals") is null) await processes.Start("Referrals", 5103);
        }
        return new Result(results, rebuild);
    }

    /// <summary>
    /// Rebuilds the three follow-up projections from the whole store with Marten's daemon, concurrently (as
    /// Marten's own "rebuild all" does, within its per-database cap), with the store's rebuild options.
    /// </summary>
    private static async Task<RebuildResult> Rebuild(IDocumentStore store, BenchSettings settings)
    {
        var events = await Scalar(settings, "select count(*) from referrals.mt_events");
        using var daemon = await store.BuildProjectionDaemonAsync();
        var clock = Stopwatch.StartNew();
        var parts = await Task.WhenAll(new[] { typeof(ReferralDetailsProjection), typeof(ContactPersonHistoryProjection), typeof(AccompanimentDetailsProjection) }
            .Select(async projection =>
            {
                var part = Stopwatch.StartNew();
                await daemon.RebuildProjectionAsync(projection, TimeSpan.FromMinutes(30), CancellationToken.None);
                return (projection.Name, part.Elapsed);
            }));
        return new RebuildResult(events, clock.Elapsed, parts);
    }

    /// <summary>
    /// Moves Referrals' outbox subscription to the end of the store while the service is stopped: the seeded
    /// history is not republished to RabbitMQ (the other services are not the subject of this measure).
    /// </summary>
    private static async Task SkipSeededHistory(BenchSettings settings)
    {
        await using var connection = new NpgsqlConnection(settings.SystemDatabase);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "update referrals.mt_event_progression set last_seq_id = (select coalesce(max(seq_id), 0) from referrals.mt_events), " +
            "last_updated = now() where name like 'contract-publisher%'", connection);
        var updated = await command.ExecuteNonQueryAsync();
        if (updated == 0)
        {
            await using var insert = new NpgsqlCommand(
                "insert into referrals.mt_event_progression (name, last_seq_id, last_updated) " +
                "select 'contract-publisher:All', coalesce(max(seq_id), 0), now() from referrals.mt_events", connection);
            await insert.ExecuteNonQueryAsync();
        }
    }

    /// <summary>
    /// Vacuumed tables and fresh statistics after a bulk load and a rebuild, as autovacuum would leave them a little
    /// later: otherwise autovacuum starts on the seeded and rebuilt tables during the measure (a rebuild rewrites every
    /// follow-up document), and its reads and writes land in the read's tail (stop 15: one measure at 100 000 events
    /// had 5 % of its requests over the in-flight cap, p99 849 ms, beside 30 ms at the other size).
    /// </summary>
    private static async Task Analyze(BenchSettings settings)
    {
        await using var connection = new NpgsqlConnection(settings.SystemDatabase);
        await connection.OpenAsync();
        foreach (var table in new[] { "mt_events", "mt_streams", "mt_doc_referraldetails", "mt_doc_contactpersonhistory", "mt_doc_accompanimentdetails",
                     "mt_doc_appointmentcopy", "mt_doc_grantcopy", "mt_doc_companioncopy", "mt_doc_involvementrecord", "mt_doc_personnamecopy" })
        {
            await using var command = new NpgsqlCommand($"vacuum (analyze) referrals.{table}", connection) { CommandTimeout = 600 };
            await command.ExecuteNonQueryAsync();
        }
    }

    private static async Task<ReadAtSize> Measure(BenchSettings settings, Clients clients, IDocumentStore store, long persons, long size, long storeEvents)
    {
        using var http = clients.For(settings.Referrals);
        await using var data = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(settings.RawReads) { MaxPoolSize = 100 }.ConnectionString);
        // The service's own statements (ADR 0088), sent the same way, without deserialising or anything after.
        var statements = new FollowUpStatements(store);
        await clients.Tokens.User(Reader);

        async Task<bool> OverHttp(int _, CancellationToken ct)
        {
            var person = FollowUpSeed.PersonId(Random.Shared.NextInt64(persons));
            using var request = await clients.Request(HttpMethod.Get, $"persons/{person}/follow-up", Reader);
            using var response = await http.SendAsync(request, ct);
            await response.Content.ReadAsByteArrayAsync(ct);
            return OpenLoop.Expect(response, HttpStatusCode.OK);
        }

        async Task<bool> Raw(int _, CancellationToken ct)
        {
            var person = FollowUpSeed.PersonId(Random.Shared.NextInt64(persons));
            await using var connection = await data.OpenConnectionAsync(ct);
            await using var batch = statements.Batch(connection, person);
            await using var reader = await batch.ExecuteReaderAsync(ct);
            var rows = 0;
            do
            {
                while (await reader.ReadAsync(ct))
                {
                    reader.GetValue(0);
                    rows++;
                }
            } while (await reader.NextResultAsync(ct));
            return rows > 0;
        }

        // Warm both paths (JIT, pools, plans) before measuring.
        var both = await OpenLoop.Beside(Rate, settings.Step, MaxInFlight, OverHttp, Raw);
        // One request at a time: the service time without queueing, which says what rate two shared cores can carry.
        var httpAlone = await OneAtATime(OverHttp);
        var rawAlone = await OneAtATime(Raw);
        return new ReadAtSize(size, storeEvents, both.Http, both.Raw, httpAlone, rawAlone);

        static async Task<Latency> OneAtATime(Func<int, CancellationToken, Task<bool>> request)
        {
            var latency = new Latency();
            for (var i = 0; i < 200; i++)
            {
                var clock = Stopwatch.StartNew();
                if (await request(i, CancellationToken.None)) latency.Record(clock.Elapsed);
            }
            return latency;
        }
    }

    private static async Task<long> Scalar(BenchSettings settings, string sql)
    {
        await using var connection = new NpgsqlConnection(settings.SystemDatabase);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
