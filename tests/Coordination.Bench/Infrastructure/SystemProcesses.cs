using System.Diagnostics;
using System.Globalization;

namespace Coordination.Bench.Infrastructure;

/// <summary>
/// The five service processes ./coordination up started (pids in .run/pids): their peak memory, and — for the
/// seeding of Referrals' store — stopping one and starting it again exactly as the script does, so that the
/// seeded history is not republished by its outbox.
/// </summary>
public sealed class SystemProcesses(BenchSettings settings)
{
    /// <summary>The highest VmHWM seen per service over the run (a restarted process starts its own peak again).</summary>
    private readonly Dictionary<string, long> _peakKb = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, long> PeakKb => _peakKb;

    /// <summary>
    /// The highest proportional set size sampled per service (smaps_rollup): resident pages with shared ones
    /// divided among their sharers. VmHWM counts in full the runtime's and assemblies' file pages shared with
    /// every other .NET process, and the JIT's W^X double mapping of the same code pages.
    /// </summary>
    public IReadOnlyDictionary<string, long> PeakPssKb => _peakPssKb;

    private readonly Dictionary<string, long> _peakPssKb = new(StringComparer.Ordinal);

    public int? Pid(string service)
    {
        var file = Path.Combine(settings.RunDir, "pids", service);
        return File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    /// <summary>Reads VmHWM (peak resident set) of every running service and keeps the highest seen.</summary>
    public void SamplePeaks()
    {
        foreach (var (name, _) in BenchSettings.Services)
        {
            if (Pid(name) is not { } pid) continue;
            var status = $"/proc/{pid}/status";
            if (!File.Exists(status)) continue;
            try
            {
                var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
                if (line is null) continue;
                var kb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                _peakKb[name] = Math.Max(kb, _peakKb.GetValueOrDefault(name));
                var pss = File.ReadLines($"/proc/{pid}/smaps_rollup").FirstOrDefault(l => l.StartsWith("Pss:", StringComparison.Ordinal));
                if (pss is not null)
                {
                    var pssKb = long.Parse(pss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                    _peakPssKb[name] = Math.Max(pssKb, _peakPssKb.GetValueOrDefault(name));
                }
            }
            catch (IOException)
            {
                // The process ended between the two reads.
            }
        }
    }

    /// <summary>SIGTERM to the service's process group (as ./coordination down does), then waits for it to exit.</summary>
    public async Task Stop(string service)
    {
        SamplePeaks();
        if (Pid(service) is not { } pid) return;
        using (var kill = Process.Start("kill", ["-TERM", "--", "-" + pid.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        for (var i = 0; i < 120 && System.IO.Directory.Exists($"/proc/{pid}"); i++) await Task.Delay(250);
        if (System.IO.Directory.Exists($"/proc/{pid}"))
        {
            using var kill = Process.Start("kill", ["-KILL", "--", "-" + pid.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        }
        File.Delete(Path.Combine(settings.RunDir, "pids", service));
    }

    /// <summary>
    /// Starts the service as ./coordination up does (same directory, environment, setsid, log and pid files)
    /// and waits until /health/ready answers, so that ./coordination down stops it like the others.
    /// </summary>
    public async Task Start(string service, int port)
    {
        var dir = Path.Combine(settings.Root, "services", service, service + ".Api");
        var dll = Path.Combine(dir, "bin", "Release", "net10.0", service + ".Api.dll");
        var log = Path.Combine(settings.RunDir, "logs", service + ".log");
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = dir,
            UseShellExecute = false,
            Environment =
            {
                ["ASPNETCORE_ENVIRONMENT"] = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Development",
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                ["Identity__KeysPath"] = Path.Combine(settings.Root, ".keys", "identity"),
            },
        };
        foreach (var a in new[] { "-c", "exec setsid dotnet \"$0\" >>\"$1\" 2>&1", dll, log }) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{service} did not start");
        await File.WriteAllTextAsync(Path.Combine(settings.RunDir, "pids", service), process.Id.ToString(CultureInfo.InvariantCulture) + "\n");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (process.HasExited) throw new InvalidOperationException($"{service} exited; see {log}");
            try
            {
                using var ready = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health/ready"));
                if (ready.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Starting.
            }
            await Task.Delay(500);
        }
        throw new InvalidOperationException($"{service} not ready after 120 s; see {log}");
    }
}
