using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Coordination.Bench.Sections;

/// <summary>The figures of the directory search benchmark (issue 3).</summary>
public sealed record DirectoryResult(int Bodies, int Services, int Queries, double LoadSeconds, double HttpP50, double HttpP99, double InProcessP99,
    double SqlP50, double SqlP99, double RowsPerPage, TimeSpan Cpu);

/// <summary>
/// Issue 3: runs tests/Directory.Bench (the directory search benchmark: 10 000 bodies and 50 000 services loaded
/// through the data·inclusion import into a fresh database, then GET /bodies?commune=&amp;thematique= with queries
/// drawn at random, interleaved with the same SQL) as a child process and takes its figures. That benchmark
/// hosts Identity and Directory in its own process, so its HTTP client shares the process with the server; its
/// CPU time is reported.
/// </summary>
public static class DirectorySearch
{
    public static async Task<DirectoryResult> Run(BenchSettings settings)
    {
        var bodies = settings.Full ? 10_000 : 2_000;
        var queries = settings.Full ? 2_000 : 1_000;
        var dll = Path.Combine(settings.Root, "tests", "Directory.Bench", "bin", "Release", "net10.0", "Directory.Bench.dll");
        var result = Path.Combine(Path.GetTempPath(), $"directory-bench-{Environment.ProcessId}.json");
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { dll, bodies.ToString(CultureInfo.InvariantCulture), "5", queries.ToString(CultureInfo.InvariantCulture) }) start.ArgumentList.Add(a);
        start.Environment["DIRECTORY_BENCH_RESULT"] = result;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Directory.Bench did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        // The CPU time of a process can only be read while it runs: sample it until it exits.
        var cpu = TimeSpan.Zero;
        while (!process.WaitForExit(500))
        {
            try { process.Refresh(); cpu = process.TotalProcessorTime; } catch (InvalidOperationException) { break; }
        }
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 || !File.Exists(result))
        {
            throw new InvalidOperationException($"Directory.Bench failed ({process.ExitCode}): {await error}\n{(await output)[^Math.Min(3000, (await output).Length)..]}");
        }
        var json = JsonNode.Parse(await File.ReadAllTextAsync(result))!;
        File.Delete(result);
        double D(string name) => json[name]!.GetValue<double>();
        return new DirectoryResult(bodies, bodies * 5, queries, D("loadSeconds"), D("httpP50"), D("httpP99"), D("inProcessP99"), D("sqlP50"),
            D("sqlP99"), D("rowsPerPage"), cpu);
    }
}
