using System.Globalization;
using Coordination.Bench.Infrastructure;
using Coordination.Bench.Sections;

namespace Coordination.Bench;

/// <summary>Turns each section's measures into the report's figures, same-run ratios and targets (issue 8 and issues 3–6).</summary>
public static class Results
{
    private static string F(double v) => Report.Format(v);

    public static void FollowUp(Report report, FollowUpReads.Result r, double martenBatched)
    {
        ReadAtSize? smallest = null;
        foreach (var s in r.Sizes)
        {
            var size = s.SeededEvents.ToString("N0", CultureInfo.InvariantCulture);
            var http99 = report.Add("reads", $"follow-up at {size} events, HTTP p50", s.Http.Latency.Ms(50), "ms");
            http99 = report.Add("reads", $"follow-up at {size} events, HTTP p99", s.Http.Latency.Ms(99), "ms");
            report.Add("reads", $"follow-up at {size} events, achieved rate (errors {s.Http.ErrorRate * 100:0.0} %)", s.Http.Achieved, "req/s");
            report.Add("reads", $"follow-up at {size} events, raw PostgreSQL read of the same documents, p50", s.Raw.Latency.Ms(50), "ms");
            var raw99 = report.Add("reads", $"follow-up at {size} events, raw PostgreSQL read of the same documents, p99", s.Raw.Latency.Ms(99), "ms");
            report.Add("reads", $"follow-up at {size} events, one request at a time (no queueing), HTTP p50", s.HttpAlone.Ms(50), "ms");
            report.Add("reads", $"follow-up at {size} events, one request at a time, raw p50", s.RawAlone.Ms(50), "ms");
            report.Add("reads", $"events in Referrals' store at that size (seeded + the system's own)", s.StoreEvents, "events");
            var ratio = http99 / raw99;
            report.Ratios.Add(new Ratio($"follow-up p99 ÷ raw p99 at {size} events", ratio, "HTTP read with token, secrecy decision and access-log append over the same SQL"));
            report.Ratios.Add(new Ratio($"follow-up p50 ÷ raw p50 at {size} events, one request at a time", s.HttpAlone.Ms(50) / s.RawAlone.Ms(50),
                "the same without queueing"));
            report.AddTarget($"follow-up p99 at {size} events", "≤ 15 ms and ≤ 3 × raw", http99, "ms", http99 <= 15 && s.Http.ErrorRate < 0.01,
                $"{F(ratio)} × raw (≤ 3)", ratio <= 3, ratioRequired: true);
            smallest ??= s;
        }
        if (r.Sizes.Count > 1 && smallest is not null)
        {
            var largest = r.Sizes[^1];
            var growth = largest.Http.Latency.Ms(99) / smallest.Http.Latency.Ms(99);
            var rawGrowth = largest.Raw.Latency.Ms(99) / smallest.Raw.Latency.Ms(99);
            report.Ratios.Add(new Ratio($"follow-up p99 at {largest.SeededEvents:N0} ÷ at {smallest.SeededEvents:N0} events", growth, "flatness of the read with the store's size"));
            report.Ratios.Add(new Ratio($"raw p99 at {largest.SeededEvents:N0} ÷ at {smallest.SeededEvents:N0} events", rawGrowth, "the same for the raw read"));
            report.AddTarget($"follow-up flat from {smallest.SeededEvents:N0} to {largest.SeededEvents:N0} events", "p99 within 20 %", growth, "×", growth <= 1.2,
                $"raw grew {F(rawGrowth)} ×", growth / rawGrowth <= 1.2);
        }
        if (r.Rebuild is { } b)
        {
            var rate = report.Add("rebuild", $"follow-up projections (3) rebuilt from {b.Events:N0} events", b.PerSecond, "events/s");
            foreach (var (projection, elapsed) in b.Projections) report.Add("rebuild", $"  {projection}", elapsed.TotalSeconds, "s");
            var ratio = rate / martenBatched;
            if (!double.IsNaN(ratio)) report.Ratios.Add(new Ratio("rebuild ÷ Marten batched append", ratio, "events projected per second over events appended per second (100 per session, 16 sessions)"));
            report.AddTarget($"projection rebuild from {b.Events:N0} events", "≥ 10 000 events/s", rate, "events/s", rate >= 10_000,
                double.IsNaN(ratio) ? null : $"{F(ratio)} × batched append", double.IsNaN(ratio) ? null : ratio >= 1);
        }
    }

    public static void EndToEnd(Report report, Sections.EndToEnd.Result r, double m16, double mt16, Latency? broker)
    {
        foreach (var s in r.Ramp.Concat(new[] { r.AtHalf, r.AtEighty }.OfType<LagStep>()))
        {
            report.Lag.Add(new LagPoint(s.Label, s.Load.Offered, s.Load.Achieved, s.Delivered, s.Load.ErrorRate, s.Lag.Ms(50), s.Lag.Ms(95), s.Lag.Ms(99), s.Seen, s.Lost, s.Sustained,
                s.CpuMsPerReferralTotal, s.CpuMsPerReferral));
        }
        // Where a referral's cost goes at E (the highest sustained step of the ramp): the arithmetic behind E. At lower
        // rates the idle background (the daemons' polling) is shared by fewer referrals and each looks dearer.
        if (r.Ramp.Where(s => s.Sustained).MaxBy(s => s.Load.Offered) is { } atE)
        {
            foreach (var part in Infrastructure.CpuMeter.Parts)
            {
                report.Add("end to end", $"CPU per referral at E ({atE.Label}): {part}", atE.CpuMsPerReferral[part], "ms");
            }
            var total = report.Add("end to end", $"CPU per referral at E ({atE.Label}): all parts", atE.CpuMsPerReferralTotal, "ms");
            report.Add("end to end", $"referrals/s the {Environment.ProcessorCount} cores carry at that cost (cores × 1000 ÷ CPU per referral)",
                Environment.ProcessorCount * 1000 / total, "referrals/s");
        }
        var e = report.Add("end to end", "E: max sustained POST /referrals (≥ 95 % of offered answered 201 and visible in Consents within the load + 2 s, < 1 % errors)", r.E, "referrals/s");
        var ceiling = Math.Min(m16, mt16);
        var ratio = e / ceiling;
        if (!double.IsNaN(ceiling))
        {
            report.Ratios.Add(new Ratio("E ÷ min(Marten append 16, MassTransit 16)", ratio, "the whole system's write path over its slowest raw part"));
        }
        report.AddTarget("E (max sustained referrals)", "≥ 0.3 × min(Marten 16, MassTransit 16)", ratio, "× raw ceiling", ratio >= 0.3,
            $"E = {F(e)}/s, ceiling {F(ceiling)}/s");
        var brokerP99 = broker?.Ms(99) ?? double.NaN;
        foreach (var (step, limit, name) in new[] { (r.AtHalf, 250.0, "50 % of E"), (r.AtEighty, 1000.0, "80 % of E") })
        {
            if (step is null) continue;
            report.Add("end to end", $"lag at {name} ({step.Load.Offered:0.0}/s), p50", step.Lag.Ms(50), "ms");
            report.Add("end to end", $"lag at {name} ({step.Load.Offered:0.0}/s), p95", step.Lag.Ms(95), "ms");
            var p99 = report.Add("end to end", $"lag at {name} ({step.Load.Offered:0.0}/s), p99", step.Lag.Ms(99), "ms");
            report.Add("end to end", $"POST /referrals at {name}, p99 (from the scheduled instant)", step.Load.Latency.Ms(99), "ms");
            report.Add("end to end", $"outbox backlog at {name} (events appended, not yet published), mean", step.Backlog.OutboxMean, "events");
            report.Add("end to end", $"Consents' queues at {name} (messages waiting), mean", step.Backlog.QueueMean, "messages");
            var overBroker = p99 / brokerP99;
            if (!double.IsNaN(overBroker)) report.Ratios.Add(new Ratio($"lag p99 at {name} ÷ broker round trip p99", overBroker, "cross-service delay over one raw publish → consume"));
            report.AddTarget($"lag p99 at {name}", $"≤ {limit:0} ms", p99, "ms", p99 <= limit && step.Lost == 0,
                double.IsNaN(overBroker) ? null : $"{F(overBroker)} × broker round trip");
        }
    }

    public static void Revocation(Report report, Latency delay, int trials, int failed, Latency? broker)
    {
        report.Add("revocation", $"revoke answer → first 404 of the CAF's follow-up, p50 ({trials} trials, {failed} failed)", delay.Ms(50), "ms");
        var p99 = report.Add("revocation", "revoke answer → first 404 of the CAF's follow-up, p99", delay.Ms(99), "ms");
        report.Add("revocation", "same, max", delay.MaxMs, "ms");
        var brokerP99 = broker?.Ms(99) ?? double.NaN;
        var ratio = p99 / brokerP99;
        if (!double.IsNaN(ratio)) report.Ratios.Add(new Ratio("revocation p99 ÷ broker round trip p99", ratio, "the outbox and the copy consumer over one raw publish → consume"));
        report.AddTarget("revocation delay p99", "≤ 1 s", p99, "ms", p99 <= 1000 && failed == 0,
            double.IsNaN(ratio) ? null : $"{F(ratio)} × broker round trip ({F(brokerP99)} ms)");
    }

    public static void Memory(Report report, SystemProcesses processes)
    {
        foreach (var (name, _) in BenchSettings.Services)
        {
            if (!processes.PeakKb.TryGetValue(name, out var kb)) continue;
            var mb = report.Add("memory", $"{name} peak RSS (VmHWM, highest over the run)", kb / 1024.0, "MB");
            var pss = processes.PeakPssKb.TryGetValue(name, out var p) ? report.Add("memory", $"{name} proportional set size (Pss, highest sampled)", p / 1024.0, "MB") : double.NaN;
            report.AddTarget($"{name} peak RSS", "≤ 250 MB", mb, "MB", mb <= 250, double.IsNaN(pss) ? null : $"Pss {F(pss)} MB");
        }
    }

    public static void Directory(Report report, DirectoryResult d)
    {
        var name = $"directory search ({d.Bodies:N0} bodies, {d.Services:N0} services)";
        report.Add("reads", $"{name}, HTTP p50", d.HttpP50, "ms");
        var p99 = report.Add("reads", $"{name}, HTTP p99", d.HttpP99, "ms");
        report.Add("reads", $"{name}, same query in-process (Marten) p99", d.InProcessP99, "ms");
        report.Add("reads", $"{name}, raw PostgreSQL p50", d.SqlP50, "ms");
        var raw = report.Add("reads", $"{name}, raw PostgreSQL p99", d.SqlP99, "ms");
        report.Add("reads", $"{name}, import time through the API", d.LoadSeconds, "s");
        report.Add("load generator", "CPU of the directory benchmark's process (its own Identity and Directory included)", d.Cpu.TotalSeconds, "s");
        var ratio = p99 / raw;
        report.Ratios.Add(new Ratio($"{name} p99 ÷ raw p99", ratio, "the endpoint over the same SQL (queries one at a time, interleaved)"));
        report.AddTarget($"{name} p99", "≤ 20 ms and ≤ 3 × raw", p99, "ms", p99 <= 20, $"{F(ratio)} × raw (≤ 3)", ratio <= 3, ratioRequired: true);
        report.Notes.Add("The directory search section runs tests/Directory.Bench in a child process with its own database and in-process " +
            "Identity and Directory (its outbox publishes nowhere): its client shares that process with the server.");
    }

    public static void Read(Report report, string name, string target, double limitMs, StepResult http, StepResult raw)
    {
        report.Add("reads", $"{name}, HTTP p50", http.Latency.Ms(50), "ms");
        var p99 = report.Add("reads", $"{name}, HTTP p99", http.Latency.Ms(99), "ms");
        report.Add("reads", $"{name}, achieved rate (errors {http.ErrorRate * 100:0.0} %)", http.Achieved, "req/s");
        report.Add("reads", $"{name}, raw PostgreSQL, p50", raw.Latency.Ms(50), "ms");
        var raw99 = report.Add("reads", $"{name}, raw PostgreSQL, p99", raw.Latency.Ms(99), "ms");
        var ratio = p99 / raw99;
        report.Ratios.Add(new Ratio($"{name} p99 ÷ raw p99", ratio, "the endpoint over the same SQL"));
        report.AddTarget($"{name} p99", target, p99, "ms", p99 <= limitMs && http.ErrorRate < 0.01, $"{F(ratio)} × raw (≤ 3)", ratio <= 3, ratioRequired: true);
    }

    public static void Bookings(Report report, BookingResult r)
    {
        var seconds = r.Http.Elapsed.TotalSeconds;
        var what = $"POST /appointments at {BookingContention.Rate:0}/s on {r.Slots} one-seat slots";
        report.Add("bookings", $"{what}, answered 201 or 409 (other errors {r.Http.ErrorRate * 100:0.0} %)", r.Http.Achieved, "req/s");
        report.Add("bookings", $"{what}, booked (201)", r.Booked / seconds, "bookings/s");
        report.Add("bookings", $"{what}, refused (409), share of answers", 100.0 * r.Refused / Math.Max(1, r.Booked + r.Refused), "%");
        report.Add("bookings", $"{what}, p50", r.Http.Latency.Ms(50), "ms");
        var p99 = report.Add("bookings", $"{what}, p99", r.Http.Latency.Ms(99), "ms");
        report.Add("bookings", "raw PostgreSQL exclusion (conditional update + seat row), taken", r.RawBooked / r.Raw.Elapsed.TotalSeconds, "seats/s");
        report.Add("bookings", "raw PostgreSQL exclusion, refused, share of answers", 100.0 * r.RawRefused / Math.Max(1, r.RawBooked + r.RawRefused), "%");
        report.Add("bookings", "raw PostgreSQL exclusion, p50", r.Raw.Latency.Ms(50), "ms");
        var raw99 = report.Add("bookings", "raw PostgreSQL exclusion, p99", r.Raw.Latency.Ms(99), "ms");
        report.Add("bookings", "seats taken beyond a slot's capacity (double bookings)", r.Overbooked, "seats");
        report.Ratios.Add(new Ratio("booking p99 ÷ raw exclusion p99", p99 / raw99, "a booking with token, consent check and involvement over the bare seat transaction"));
        report.AddTarget("no double booking under contention", "0 seats beyond capacity", r.Overbooked, "seats", r.Overbooked == 0);
    }
}
