using System.Diagnostics;
using Coordination.Bench;
using Coordination.Bench.Baselines;
using Npgsql;

// ./coordination bench [--duration <seconds>] [--scale small|full] [--only baselines,...]
var root = FindRoot();
var settings = BenchSettings.Parse(args, root);
var report = new Report();
var cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
var wall = Stopwatch.StartNew();

await Machine.Describe(report, settings);
Console.WriteLine($"Coordination benchmark — {settings.Duration.TotalSeconds:0} s per measure, scale {settings.Scale}");

if (settings.Runs("baselines"))
{
    await RecreateBaselineDatabase(settings);
    const string vhost = "coordination-bench";
    await Management.DeleteVhost(settings.RabbitManagement, vhost);
    await Management.EnsureVhost(settings.RabbitManagement, vhost);

    Console.WriteLine("Baselines");
    var pg1 = report.Add("baseline", "pgbench, one JSONB row per transaction, 1 client", await PgBench.TransactionsPerSecond(settings, 1), "tx/s");
    var pg16 = report.Add("baseline", "pgbench, one JSONB row per transaction, 16 clients", await PgBench.TransactionsPerSecond(settings, 16), "tx/s");
    var m1 = report.Add("baseline", "Marten append (Quick), 1 event per new stream, 1 session", await MartenAppend.AppendsPerSecond(settings, 1, 1), "events/s");
    var m16 = report.Add("baseline", "Marten append (Quick), 1 event per new stream, 16 sessions", await MartenAppend.AppendsPerSecond(settings, 16, 1), "events/s");
    report.Add("baseline", "Marten append (Quick), 100 new streams per session, 16 sessions", await MartenAppend.AppendsPerSecond(settings, 16, 100), "events/s");
    var mt16 = report.Add("baseline", "MassTransit publish→consume, confirms, durable, 16 publishers", await MassTransitThroughput.MessagesPerSecond(settings, 16, vhost), "msg/s");
    report.Ratios.Add(new Ratio("Marten 16 ÷ pgbench 16", m16 / pg16, "appends per second over single-row transactions per second"));
    report.Ratios.Add(new Ratio("Marten 1 ÷ pgbench 1", m1 / pg1, "same, one writer"));
    report.Machine["raw ceiling min(Marten 16, MassTransit 16)"] = $"{Math.Min(m16, mt16):0} /s";
    await Management.DeleteVhost(settings.RabbitManagement, vhost);
}

var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart;
report.Add("load generator", "CPU used by the benchmark process", cpu.TotalSeconds / wall.Elapsed.TotalSeconds * 100, "% of one core");

var output = Path.Combine(root, "docs", "benchmarks");
Directory.CreateDirectory(output);
await File.WriteAllTextAsync(Path.Combine(output, "latest.md"), report.ToMarkdown());
await File.WriteAllTextAsync(Path.Combine(output, "latest.json"), report.ToJson());
Console.WriteLine();
Console.WriteLine(report.ToMarkdown());
Console.WriteLine($"Written to {Path.Combine(output, "latest.md")} and latest.json");
return 0;

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
    return dir?.FullName ?? Directory.GetCurrentDirectory();
}
