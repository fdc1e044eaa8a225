using System.Diagnostics;
using Coordination.Bench;
using Coordination.Bench.Baselines;
using Coordination.Bench.Infrastructure;
using Coordination.Bench.Sections;
using Npgsql;

// ./coordination bench [--duration <seconds>] [--scale small|full] [--only baselines,followup,e2e,memory,revocation,consent-record,slots,bookings,directory|all] [--extras]
var root = FindRoot();
var settings = BenchSettings.Parse(args, root);
var report = new Report();
var cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
var wall = Stopwatch.StartNew();
var processes = new SystemProcesses(settings);
using var clients = new Clients(settings);
using var stores = new ServiceStores(settings);

await Machine.Describe(report, settings);
Console.WriteLine($"Coordination benchmark — {settings.Duration.TotalSeconds:0} s per measure ({settings.Step.TotalSeconds:0} s per load step), scale {settings.Scale}");
processes.SamplePeaks();
if (new[] { "followup", "e2e", "revocation", "consent-record", "slots", "bookings" }.Any(settings.Runs))
{
    await DemoDirectory.Ensure(settings, processes);
}

double m16 = double.NaN, mt16 = double.NaN, mBatched = double.NaN;
Latency? brokerRoundTrip = null;
if (settings.Runs("baselines"))
{
    NoteLoad("baselines");
    await RecreateBaselineDatabase(settings);
    const string vhost = "coordination-bench";
    await Management.DeleteVhost(settings.RabbitManagement, vhost);
    await Management.EnsureVhost(settings.RabbitManagement, vhost);

    Console.WriteLine("Baselines");
    var pg1 = report.Add("baseline", "pgbench, one JSONB row per transaction, 1 client", await PgBench.TransactionsPerSecond(settings, 1), "tx/s");
    var pg16 = report.Add("baseline", "pgbench, one JSONB row per transaction, 16 clients", await PgBench.TransactionsPerSecond(settings, 16), "tx/s");
    var m1 = report.Add("baseline", "Marten append (Quick), 1 event per new stream, 1 session", await MartenAppend.AppendsPerSecond(settings, 1, 1), "events/s");
    m16 = report.Add("baseline", "Marten append (Quick), 1 event per new stream, 16 sessions", await MartenAppend.AppendsPerSecond(settings, 16, 1), "events/s");
    mBatched = report.Add("baseline", "Marten append (Quick), 100 new streams per session, 16 sessions", await MartenAppend.AppendsPerSecond(settings, 16, 100), "events/s");
    mt16 = report.Add("baseline", "MassTransit publish→consume, confirms, durable, 16 publishers", await MassTransitThroughput.MessagesPerSecond(settings, 16, vhost), "msg/s");
    brokerRoundTrip = await MassTransitThroughput.RoundTrip(settings, vhost, settings.Full ? 500 : 200);
    report.Add("baseline", "MassTransit round trip, one message at a time (publish+confirm → consume), p50", brokerRoundTrip.Ms(50), "ms");
    report.Add("baseline", "MassTransit round trip, one message at a time (publish+confirm → consume), p99", brokerRoundTrip.Ms(99), "ms");
    report.Ratios.Add(new Ratio("Marten 16 ÷ pgbench 16", m16 / pg16, "appends per second over single-row transactions per second"));
    report.Ratios.Add(new Ratio("Marten 1 ÷ pgbench 1", m1 / pg1, "same, one writer"));
    report.Machine["raw ceiling min(Marten 16, MassTransit 16)"] = $"{Math.Min(m16, mt16):0} /s";
    await Management.DeleteVhost(settings.RabbitManagement, vhost);
}
processes.SamplePeaks();

await Section("followup", async () =>
{
    Console.WriteLine("Follow-up reads (GET /persons/{id}/follow-up at 200/s) and projection rebuild");
    var followUp = await FollowUpReads.Run(settings, clients, processes, stores);
    Results.FollowUp(report, followUp, mBatched);
});
processes.SamplePeaks();

await Section("e2e", async () =>
{
    Console.WriteLine("End to end (POST /referrals → Consents' copy of the involvement)");
    var pool = await Pool.Register(clients, settings.Full ? 1_000 : 300, "e2e " + DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    var e2e = await EndToEnd.Run(settings, clients, pool, new CpuMeter(processes));
    processes.SamplePeaks();
    Results.EndToEnd(report, e2e, m16, mt16, brokerRoundTrip);
});

await Section("revocation", async () =>
{
    Console.WriteLine("Revocation (revoke answer in Consents → first 404 of the CAF's follow-up in Referrals)");
    var (delay, trials, failed) = await Revocation.Run(settings, clients, settings.Full ? 60 : 20);
    Results.Revocation(report, delay, trials, failed, brokerRoundTrip);
});
processes.SamplePeaks();

await Section("consent-record", async () =>
{
    Console.WriteLine("Consent record (GET /me/consent-record, 1 000 access-log entries per reader)");
    var (http, raw, persons) = await ConsentRecordReads.Run(settings, clients, stores);
    Results.Read(report, $"consent record (1 000 entries, logs of {persons:N0} persons)", "≤ 15 ms and ≤ 3 × raw", 15, http, raw);
});
processes.SamplePeaks();

await Section("slots", async () =>
{
    Console.WriteLine("Slots (GET /slots for one commune over four weeks, 500 bodies' schedules)");
    var (http, raw, slots) = await SlotReads.Run(settings, clients, stores);
    Results.Read(report, $"slots of one commune over 4 weeks ({SlotReads.Bodies} bodies, {slots:N0} slots)", "≤ 20 ms and ≤ 3 × raw", 20, http, raw);
});
processes.SamplePeaks();

await Section("bookings", async () =>
{
    Console.WriteLine("Bookings under contention (POST /appointments on few one-seat slots, beside the raw exclusion)");
    var bookings = await BookingContention.Run(settings, clients, stores);
    Results.Bookings(report, bookings);
    Console.WriteLine($"    booked {bookings.Booked}, refused {bookings.Refused} (409), raw {bookings.RawBooked}/{bookings.RawRefused}, double bookings {bookings.Overbooked}");
});
processes.SamplePeaks();

await Section("directory", async () =>
{
    Console.WriteLine("Directory search (tests/Directory.Bench as a child process)");
    var d = await DirectorySearch.Run(settings);
    Results.Directory(report, d);
});

if (settings.Runs("memory"))
{
    processes.SamplePeaks();
    Results.Memory(report, processes);
}

var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart;
report.Add("load generator", "CPU used by the benchmark process (over the whole run)", cpu.TotalSeconds / wall.Elapsed.TotalSeconds * 100, "% of one core");
report.Add("load generator", "wall time of the run", wall.Elapsed.TotalMinutes, "min");
report.Machine["load average at end"] = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";

var output = Path.Combine(root, "docs", "benchmarks");
System.IO.Directory.CreateDirectory(output);
if (report.Lag.Count > 0) report.Plot = LagPlot.Write(report, Path.Combine(output, "lag.png"));
await File.WriteAllTextAsync(Path.Combine(output, "latest.md"), report.ToMarkdown());
await File.WriteAllTextAsync(Path.Combine(output, "latest.json"), report.ToJson());
Console.WriteLine();
Console.WriteLine(report.ToMarkdown());
Console.WriteLine($"Written to {Path.Combine(output, "latest.md")} and latest.json");
return 0;

// A section that fails (a service refusing, a timeout) is reported as such; the others still run and the report is written.
async Task Section(string name, Func<Task> body)
{
    if (!settings.Runs(name)) return;
    NoteLoad(name);
    try
    {
        await body();
    }
    catch (Exception e) when (e is InvalidOperationException or HttpRequestException or NpgsqlException or TaskCanceledException or TimeoutException
                                  or Marten.Exceptions.MartenCommandException or System.Text.Json.JsonException or NullReferenceException)
    {
        Console.WriteLine($"  section {name} failed: {e}");
        report.Notes.Add($"Section {name} failed: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
    }
    processes.SamplePeaks();
}

// The machine is shared: its load when each section starts goes beside the figures.
void NoteLoad(string section) =>
    report.Machine[$"load average (1, 5, 15 min) at the start of {section}"] =
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

static async Task RecreateBaselineDatabase(BenchSettings settings)
{
    await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(settings.PostgresAdmin) { Database = "postgres" }.ConnectionString);
    await connection.OpenAsync();
    await using (var drop = new NpgsqlCommand("drop database if exists coordination_bench with (force)", connection)) await drop.ExecuteNonQueryAsync();
    await using (var create = new NpgsqlCommand("create database coordination_bench", connection)) await create.ExecuteNonQueryAsync();
}

static string FindRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Coordination.sln"))) dir = dir.Parent;
    return dir?.FullName ?? System.IO.Directory.GetCurrentDirectory();
}
