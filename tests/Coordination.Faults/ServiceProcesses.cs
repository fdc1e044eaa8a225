using System.Diagnostics;
using System.Globalization;

namespace Coordination.Faults;

/// <summary>
/// The five services as separate processes (the Release builds <c>./coordination up</c> runs), on the suite's ports,
/// databases, vhost and issuer. Only processes this suite started are ever signalled, by their recorded id.
/// </summary>
public sealed class ServiceProcesses(FaultSettings settings) : IAsyncDisposable
{
    private readonly Dictionary<string, Process> _running = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public static string Dll(FaultSettings settings, string name) =>
        Path.Combine(settings.Root, "services", name, name + ".Api", "bin", "Release", "net10.0", name + ".Api.dll");

    private Dictionary<string, string> Environment(ServiceSpec s) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{s.Port}",
        ["ConnectionStrings__Postgres"] = FaultSettings.ServicePostgres(s, "coordination", pool: 40),
        ["ConnectionStrings__Identity"] = FaultSettings.ServicePostgres(s, "coordination_identity", pool: 20),
        ["ConnectionStrings__RabbitMq"] = FaultSettings.ServiceRabbit(s),
        ["Auth__Authority"] = settings.Issuer.ToString(),
        ["Identity__Issuer"] = settings.Issuer.ToString(),
        ["Identity__KeysPath"] = settings.Keys,
        ["Identity__AllowHttp"] = "true",
        // The load's tokens outlive the whole run: a scenario measures the services under a fault, not a login
        // during it (Identity's token endpoint has its own database).
        ["Identity__AccessTokenLifetime"] = "03:00:00",
        ["Demo__Seed"] = "true",
        ["PublicUrl"] = $"http://127.0.0.1:{s.Port}",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_gcServer"] = "0",
    };

    private Process Launch(ServiceSpec s, string log, params string[] extraArgs)
    {
        var dll = Dll(settings, s.Name);
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing: build the services (./coordination faults does).");
        // exec: the process id is dotnet's own, so a kill -9 hits the service and nothing else.
        var command = $"exec dotnet '{dll}' {string.Join(' ', extraArgs)} >>'{log}' 2>&1";
        var start = new ProcessStartInfo("/bin/sh") { WorkingDirectory = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(dll))))! };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        foreach (var (k, v) in Environment(s)) start.Environment[k] = v;
        return Process.Start(start) ?? throw new InvalidOperationException($"Could not start {s.Name}.");
    }

    /// <summary>Kills services a previous run of the suite left behind (its recorded ids, checked to be ours).</summary>
    public void KillLeftovers()
    {
        Directory.CreateDirectory(settings.Pids);
        foreach (var file in Directory.GetFiles(settings.Pids))
        {
            if (int.TryParse(File.ReadAllText(file).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) && IsOurs(pid))
            {
                try
                {
                    using var p = Process.GetProcessById(pid);
                    p.Kill();
                    Console.WriteLine($"    killed a service left by a previous run (pid {pid})");
                }
                catch (ArgumentException)
                {
                }
            }
            File.Delete(file);
        }
    }

    /// <summary>A process is ours if its environment carries one of the suite's service URLs.</summary>
    private static bool IsOurs(int pid)
    {
        try
        {
            var environ = File.ReadAllText($"/proc/{pid}/environ");
            return FaultSettings.Services.Any(s => environ.Contains($"ASPNETCORE_URLS=http://127.0.0.1:{s.Port}\0", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The topology step: every service declares its queues, exchanges and bindings and exits, before any starts.</summary>
    public async Task DeployTopologyAsync()
    {
        Directory.CreateDirectory(settings.Logs);
        var steps = FaultSettings.Services.Select(async s =>
        {
            using var p = Launch(s, Path.Combine(settings.Logs, s.Name + ".topology.log"), "--Messaging:DeployTopologyOnly=true");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            await p.WaitForExitAsync(timeout.Token);
            if (p.ExitCode != 0) throw new InvalidOperationException($"The topology step of {s.Name} failed ({p.ExitCode}); see {settings.Logs}/{s.Name}.topology.log");
        });
        await Task.WhenAll(steps);
    }

    /// <summary>
    /// Identity first, then the others. Started together on a fresh database, Identity can consume Directory's
    /// demo MemberJoined messages before its own demo seed runs, and the demo professionals then exist as invited
    /// logins without a password (reported as a bug of Identity's demo seed; the test fixture starts Identity first too).
    /// </summary>
    public async Task StartAllAsync()
    {
        Start("Identity");
        await WaitReadyAsync("Identity", TimeSpan.FromSeconds(180));
        // One at a time: started together on a loaded machine, a service could wait too long for Marten's global lock
        // on schema changes (one database, five schemas) and fail to start.
        foreach (var s in FaultSettings.Services.Where(s => s.Name != "Identity"))
        {
            Start(s.Name);
            await WaitReadyAsync(s.Name, TimeSpan.FromSeconds(180));
        }
    }

    public void Start(string name)
    {
        var s = FaultSettings.Service(name);
        if (_running.TryGetValue(name, out var old) && !old.HasExited) throw new InvalidOperationException($"{name} is already running.");
        var process = Launch(s, Path.Combine(settings.Logs, s.Name + ".log"));
        _running[name] = process;
        File.WriteAllText(Path.Combine(settings.Pids, name), process.Id.ToString(CultureInfo.InvariantCulture));
    }

    public int PidOf(string name) => _running[name].Id;

    /// <summary>kill -9: no shutdown hook runs, no message is acknowledged, no transaction completes.</summary>
    public async Task KillAsync(string name)
    {
        var process = _running[name];
        process.Kill();
        await process.WaitForExitAsync();
        File.Delete(Path.Combine(settings.Pids, name));
    }

    /// <summary>SIGTERM, as an orchestrator stops a service: the host stops gracefully.</summary>
    public async Task StopAsync(string name, TimeSpan? patience = null)
    {
        if (!_running.TryGetValue(name, out var process) || process.HasExited) return;
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(patience ?? TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        File.Delete(Path.Combine(settings.Pids, name));
    }

    public async Task<bool> IsReadyAsync(string name)
    {
        try
        {
            using var response = await _http.GetAsync(new Uri(FaultSettings.Service(name).BaseAddress, "health/ready"));
            return response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync()).Contains("\"status\":\"Healthy\"", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    public async Task WaitReadyAsync(string name, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!await IsReadyAsync(name))
        {
            if (_running.TryGetValue(name, out var p) && p.HasExited)
            {
                throw new InvalidOperationException($"{name} exited ({p.ExitCode}); see {settings.Logs}/{name}.log");
            }
            if (deadline.Elapsed > timeout) throw new TimeoutException($"{name} not ready after {timeout.TotalSeconds:0} s; see {settings.Logs}/{name}.log");
            await Task.Delay(250);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_running.Keys.ToList().Select(n => StopAsync(n, TimeSpan.FromSeconds(15))));
        _http.Dispose();
    }
}
