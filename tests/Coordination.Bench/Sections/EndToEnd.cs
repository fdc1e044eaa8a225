using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Coordination.Bench.Infrastructure;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Demo;
using Npgsql;

namespace Coordination.Bench.Sections;

/// <summary>One step of the ramp: the load's figures and the lag of its referrals to another service's read model.</summary>
public sealed record LagStep(string Label, StepResult Load, Latency Lag, int Seen, int Lost, Backlog Backlog, int DeliveredInTime,
    IReadOnlyDictionary<string, double> CpuSeconds)
{
    /// <summary>
    /// CPU per referral answered 201, part by part (<see cref="CpuMeter.Parts"/>), in ms: from the first request of the
    /// step until its last referral reached Consents, so the idle background of those seconds is included.
    /// </summary>
    public IReadOnlyDictionary<string, double> CpuMsPerReferral =>
        CpuSeconds.ToDictionary(c => c.Key, c => Load.Succeeded == 0 ? double.NaN : c.Value * 1000 / Load.Succeeded, StringComparer.Ordinal);

    public double CpuMsPerReferralTotal => CpuMsPerReferral.Values.Sum();

    /// <summary>Referrals visible in the other service's read model by the end of the load plus the grace, per second of load.</summary>
    public double Delivered => DeliveredInTime / Load.Elapsed.TotalSeconds;

    /// <summary>
    /// Sustained end to end: the POSTs are sustained (≥ 95 % of the offered rate, &lt; 1 % errors) and the read model
    /// keeps up — at least 95 % of the offered referrals are visible there by the end of the load plus
    /// <see cref="EndToEnd.Grace"/>. A rate whose referrals pile up in the outbox or a queue is not sustained,
    /// even if every POST is answered.
    /// </summary>
    public bool Sustained => Load.Sustained && DeliveredInTime >= 0.95 * Load.Scheduled;
}

/// <summary>
/// Where the lag waits, sampled every 250 ms during a step: events appended in Referrals and not yet published by
/// its outbox, and messages waiting in Consents' queues.
/// </summary>
public sealed class Backlog
{
    private long _samples, _outboxSum, _queueSum;

    public long OutboxMax { get; private set; }

    public long QueueMax { get; private set; }

    public double OutboxMean => _samples == 0 ? double.NaN : _outboxSum / (double)_samples;

    public double QueueMean => _samples == 0 ? double.NaN : _queueSum / (double)_samples;

    public override string ToString() =>
        $"outbox backlog mean {OutboxMean:0.0} max {OutboxMax}, Consents queues mean {QueueMean:0.0} max {QueueMax}";

    public async Task Sample(BenchSettings settings, CancellationToken ct)
    {
        using var management = Management.Client(settings.RabbitManagement);
        await using var connection = new NpgsqlConnection(settings.SystemDatabase);
        await connection.OpenAsync(ct);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var command = new NpgsqlCommand(
                    "select coalesce((select max(seq_id) from referrals.mt_events), 0) - " +
                    "coalesce((select max(last_seq_id) from referrals.mt_event_progression where name like 'contract-publisher%'), 0)", connection);
                var outbox = Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
                var queues = await management.GetFromJsonAsync<JsonArray>("api/queues/coordination?columns=name,messages", ct) ?? [];
                var waiting = queues.Where(q => q?["name"]?.GetValue<string>().StartsWith("consents", StringComparison.Ordinal) == true)
                    .Sum(q => q?["messages"]?.GetValue<long>() ?? 0);
                _samples++;
                _outboxSum += outbox;
                _queueSum += waiting;
                OutboxMax = Math.Max(OutboxMax, outbox);
                QueueMax = Math.Max(QueueMax, waiting);
                await Task.Delay(250, ct);
            }
            catch (HttpRequestException)
            {
                // The management API missed one sample.
            }
        }
    }
}

/// <summary>
/// POST /referrals with real tokens at increasing offered rates (open loop, in-flight capped) up to saturation,
/// and for each referral the time from its 201 to the moment Consents' copy of the receiving body's involvement
/// shows it — Consents' own read model, fed through Referrals' outbox, RabbitMQ and Consents' consumer. The
/// copies are polled in batches every 5 ms, reading only (less often when many are pending: see LagTracker).
/// </summary>
public static class EndToEnd
{
    private const int MaxInFlight = 64;

    /// <summary>How long after the load ends the referrals still count as delivered in time.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Each pending id costs the poll one index probe in PostgreSQL. Past 200 pending ids — a saturated system, lags in
    /// seconds — the poll waits 25 µs per pending id instead of 5 ms, so that measuring takes a bounded share of the
    /// database's CPU rather than a share that grows with the backlog (up to 2 000 probes every 5 ms, taken from the
    /// system measured just when it saturates).
    /// </summary>
    private static readonly TimeSpan PollPerPendingId = TimeSpan.FromMicroseconds(25);

    public sealed record Result(double E, IReadOnlyList<LagStep> Ramp, LagStep? AtHalf, LagStep? AtEighty);

    public static async Task<Result> Run(BenchSettings settings, Clients clients, IReadOnlyList<PoolPerson> pool, CpuMeter cpu)
    {
        // Needs drawn at random among data·inclusion thematiques.
        var needs = Referrals.Api.Referrals.Needs.Thematiques.All.Order(StringComparer.Ordinal).ToArray();
        using var http = clients.For(settings.Referrals);
        // Warm the path (JIT, pools, token) before measuring.
        await Step(settings, clients, http, pool, needs, cpu, 10, TimeSpan.FromSeconds(3), "warm-up");

        var ramp = new List<LagStep>();
        double lastGood = 0, firstBad = double.NaN;
        for (var rate = 20.0; rate < 5_000; rate *= 1.5)
        {
            var step = await Step(settings, clients, http, pool, needs, cpu, rate, settings.Step, $"{rate:0}/s");
            ramp.Add(step);
            Print(step);
            if (!step.Sustained) { firstBad = rate; break; }
            lastGood = rate;
        }
        // One more step between the last sustained rate and the first that was not narrows E.
        if (!double.IsNaN(firstBad) && lastGood > 0)
        {
            var middle = Math.Sqrt(lastGood * firstBad);
            var step = await Step(settings, clients, http, pool, needs, cpu, middle, settings.Step, $"{middle:0}/s");
            ramp.Add(step);
            Print(step);
            if (step.Sustained) lastGood = middle;
        }
        var e = lastGood;
        if (e <= 0) return new Result(0, ramp, null, null);
        var half = await Step(settings, clients, http, pool, needs, cpu, e * 0.5, settings.Step, "50 % of E");
        Print(half);
        var eighty = await Step(settings, clients, http, pool, needs, cpu, e * 0.8, settings.Step, "80 % of E");
        Print(eighty);
        return new Result(e, ramp, half, eighty);
    }

    private static void Print(LagStep s) =>
        Console.WriteLine($"    {s.Label,-10} offered {s.Load.Offered,7:0.0}/s achieved {s.Load.Achieved,7:0.0}/s errors {s.Load.ErrorRate * 100,5:0.0} % " +
            $"POST p50 {s.Load.Latency.Ms(50),6:0.0} p99 {s.Load.Latency.Ms(99),7:0.0} ms; lag p50 {s.Lag.Ms(50),6:0.0} p95 {s.Lag.Ms(95),7:0.0} " +
            $"p99 {s.Lag.Ms(99),7:0.0} ms ({s.Seen} seen, {s.DeliveredInTime} in time, {s.Lost} lost){(s.Sustained ? "" : "  — not sustained")} {s.Load.ErrorSummary}\n" +
            $"               {s.Backlog}\n" +
            $"               CPU per referral {s.CpuMsPerReferralTotal:0.0} ms: {string.Join(", ", s.CpuMsPerReferral.Select(c => $"{c.Key} {c.Value:0.00}"))}");

    private static async Task<LagStep> Step(BenchSettings settings, Clients clients, HttpClient http, IReadOnlyList<PoolPerson> pool,
        string[] needs, CpuMeter cpu, double rate, TimeSpan duration, string label)
    {
        var tracker = new LagTracker(settings.SystemDatabase);
        var backlog = new Backlog();
        using var stop = new CancellationTokenSource();
        var polling = tracker.Poll(stop.Token);
        var sampling = backlog.Sample(settings, stop.Token);
        var cpuAtStart = cpu.Read();
        var load = await OpenLoop.Run(rate, duration, MaxInFlight, async (_, ct) =>
        {
            var person = pool[Random.Shared.Next(pool.Count)];
            using var request = await clients.Request(HttpMethod.Post, "referrals", Pool.Registrar,
                new { personId = person.Id, toBodyId = DemoData.CafAude, need = needs[Random.Shared.Next(needs.Length)], urgency = "normal" });
            using var response = await http.SendAsync(request, ct);
            if (!OpenLoop.Expect(response, HttpStatusCode.Created)) return false;
            var answered = Stopwatch.GetTimestamp();
            var id = (await response.Content.ReadFromJsonAsync<JsonNode>(ct))!["id"]!.GetValue<Guid>();
            tracker.Expect(InvolvementRecord.KeyOf(person.Id, DemoData.CafAude, InvolvementKind.ReferralReceiver, id), answered);
            return true;
        });
        await Task.Delay(Grace);
        var deliveredInTime = tracker.Seen;
        // Let the tail arrive (or time out) before the next step, so that steps do not overlap.
        await tracker.Drain(TimeSpan.FromSeconds(60));
        var cpuSeconds = CpuMeter.SecondsBetween(cpuAtStart, cpu.Read());
        await stop.CancelAsync();
        try { await polling; } catch (OperationCanceledException) { }
        try { await sampling; } catch (OperationCanceledException) { }
        return new LagStep(label, load, tracker.Lag, tracker.Seen, tracker.Pending, backlog, deliveredInTime, cpuSeconds);
    }

    /// <summary>
    /// Polls Consents' involvement copies for the referrals answered 201 and not yet seen. A row seen by a poll
    /// that started at t was committed before t: the lag recorded is t − the 201's arrival (upper bound, within
    /// one polling interval plus one query; the interval is 5 ms up to 200 pending ids, 25 µs per pending id above).
    /// </summary>
    private sealed class LagTracker(string connectionString)
    {
        private readonly ConcurrentDictionary<string, long> _pending = new(StringComparer.Ordinal);
        private int _seen;

        public Latency Lag { get; } = new();

        public int Seen => _seen;

        public int Pending => _pending.Count;

        public void Expect(string key, long answeredAt) => _pending[key] = answeredAt;

        public async Task Poll(CancellationToken ct)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(ct);
            while (!ct.IsCancellationRequested)
            {
                var keys = _pending.Keys.Take(2_000).ToArray();
                var started = Stopwatch.GetTimestamp();
                if (keys.Length > 0)
                {
                    await using var command = new NpgsqlCommand("select id from consents.mt_doc_involvementrecord where id = any($1)", connection);
                    command.Parameters.Add(new NpgsqlParameter { Value = keys });
                    await using var reader = await command.ExecuteReaderAsync(ct);
                    while (await reader.ReadAsync(ct))
                    {
                        if (_pending.TryRemove(reader.GetString(0), out var answered))
                        {
                            Lag.Record(Stopwatch.GetElapsedTime(answered, started));
                            Interlocked.Increment(ref _seen);
                        }
                    }
                }
                var interval = TimeSpan.FromTicks(Math.Max(PollEvery.Ticks, keys.Length * PollPerPendingId.Ticks));
                var wait = interval - Stopwatch.GetElapsedTime(started);
                if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
            }
        }

        public async Task Drain(TimeSpan limit)
        {
            var clock = Stopwatch.StartNew();
            while (!_pending.IsEmpty && clock.Elapsed < limit) await Task.Delay(50);
        }
    }
}
