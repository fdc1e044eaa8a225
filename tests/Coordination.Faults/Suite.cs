using System.Diagnostics;
using System.Net;
using Coordination.Testing;

namespace Coordination.Faults;

/// <summary>One check of a scenario: what was asserted, whether it held, what was measured.</summary>
public sealed record Check(string What, bool Held, string Measured);

public sealed class ScenarioResult(int number, string title)
{
    public int Number { get; } = number;
    public string Title { get; } = title;
    public Verdict Verdict { get; set; } = new();
    public double? RecoverySeconds { get; set; }
    public List<Check> Checks { get; } = [];
    public List<string> Notes { get; } = [];
    public string? Failure { get; set; }

    /// <summary>Commands a scenario sends besides the creating ones (scenario 6's transitions), counted by the scenario.</summary>
    public Verdict? Extra { get; set; }

    /// <summary>Consumer effects applied again (documents rewritten by a redelivery), counted by the scenario.</summary>
    public int EffectDuplicates { get; set; }
    public bool Passed => Failure is null && Checks.All(c => c.Held);

    public void Expect(string what, bool held, string measured) => Checks.Add(new Check(what, held, measured));
}

/// <summary>
/// The isolated system under test and the machinery every scenario shares: the load, the proxies, the checks of
/// "back to normal" and the final count of what the databases hold.
/// </summary>
public sealed partial class Suite : IAsyncDisposable
{
    public static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(6);
    private const int BacklogTolerance = 40;

    private readonly FaultSettings _settings;
    private readonly Infrastructure _infra;
    private readonly ServiceProcesses _services;
    private readonly Dictionary<string, TcpProxy> _postgres = [];
    private readonly Dictionary<string, TcpProxy> _rabbit = [];
    private readonly Checker _checker;
    private readonly Ledger _ledger = new();
    private Client _client = null!;
    private Load _load = null!;
    private World _world = null!;
    private PublicationObserver _observer = null!;

    public Suite(FaultSettings settings)
    {
        _settings = settings;
        _infra = new Infrastructure(settings);
        _services = new ServiceProcesses(settings);
        _checker = new Checker(settings);
    }

    public async Task StartAsync()
    {
        Console.WriteLine("Faults infrastructure (its own PostgreSQL cluster and RabbitMQ node)");
        _services.KillLeftovers();
        await _infra.EnsureAsync();
        await _infra.ResetAsync();
        Directory.CreateDirectory(_settings.Keys);
        foreach (var s in FaultSettings.Services)
        {
            _postgres[s.Name] = new TcpProxy(s.Name + "→postgres", s.PostgresProxyPort, new IPEndPoint(IPAddress.Loopback, FaultSettings.PostgresPort));
            _rabbit[s.Name] = new TcpProxy(s.Name + "→rabbitmq", s.RabbitProxyPort, new IPEndPoint(IPAddress.Loopback, FaultSettings.RabbitPort));
            _postgres[s.Name].Start();
            _rabbit[s.Name].Start();
        }
        Console.WriteLine("Topology step, then the five services (ports 5200–5204, each through its own proxies)");
        await _services.DeployTopologyAsync();
        await _services.StartAllAsync();

        _observer = new PublicationObserver(_settings.Amqp);
        var exchanges = (await _infra.ExchangesAsync()).Where(e => e.Contains(".Contracts:", StringComparison.Ordinal)).ToList();
        await _observer.StartAsync(exchanges);
        Console.WriteLine($"  observing {exchanges.Count} contract exchanges");

        _client = new Client(new Tokens(_settings.Issuer));
        Console.WriteLine("Demo world through the APIs");
        _world = await World.CreateAsync(_client, _checker, persons: 30);
        _load = new Load(_client, _world, _ledger, _settings.Rate);
        await WaitQuietAsync(TimeSpan.FromSeconds(60));
        var poisoned = await ErrorQueueCountsAsync();
        if (poisoned.Values.Sum() > 0) throw new InvalidOperationException("Messages in _error queues before any fault: " + Describe(poisoned));
    }

    public async Task<ScenarioResult> RunAsync(int number, string title, Func<ScenarioResult, Task> scenario)
    {
        var result = new ScenarioResult(number, title);
        Console.WriteLine();
        Console.WriteLine($"Scenario {number}: {title}");
        var watch = Stopwatch.StartNew();
        try
        {
            await scenario(result);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            result.Failure = e.GetType().Name + ": " + e.Message;
            Console.WriteLine("  FAILED to run: " + e);
            await _load.StopAsync();
            foreach (var p in _postgres.Values.Concat(_rabbit.Values))
            {
                p.Heal();
                p.Latency = TimeSpan.Zero;
            }
            // Count what the databases hold once the system has settled, not what is still in flight.
            await WaitQuietAsync(TimeSpan.FromSeconds(90));
        }
        result.Verdict = await _checker.VerifyAsync(_ledger.Of(number));
        var v = result.Verdict;
        v.Duplicated += result.EffectDuplicates;
        if (result.Extra is { } extra)
        {
            v.Sent += extra.Sent;
            v.Acknowledged += extra.Acknowledged;
            v.Found += extra.Found;
            v.Lost += extra.Lost;
            v.Duplicated += extra.Duplicated;
        }
        result.Expect("every acknowledged command found in its stream and every downstream read model", v.Lost == 0,
            $"{v.Found}/{v.Acknowledged} found" + (v.MissingByModel.Count > 0 ? "; missing in " + string.Join(", ", v.MissingByModel.Select(m => $"{m.Key} ×{m.Value}")) : ""));
        result.Expect("no command applied twice", v.Duplicated == 0, $"{v.Duplicated} applied more than once");
        result.Expect("no refused command written", v.RefusedButWritten == 0, $"{v.RefusedButWritten} of {v.Refused} refused");
        if (v.Unknown > 0) result.Notes.Add($"{v.Unknown} commands without a definite answer after {Client.Patience.TotalSeconds:0} s ({v.UnknownButWritten} of them written)");
        foreach (var example in v.Examples.Take(10)) result.Notes.Add(example);
        Console.WriteLine($"  {(result.Passed ? "passed" : "FAILED")} in {watch.Elapsed.TotalSeconds:0} s: sent {v.Sent}, acknowledged {v.Acknowledged}, " +
            $"found {v.Found}, lost {v.Lost}, duplicated {v.Duplicated}, recovery {(result.RecoverySeconds is { } r ? $"{r:0.0} s" : "—")}");
        foreach (var c in result.Checks.Where(c => !c.Held)) Console.WriteLine($"    ✗ {c.What}: {c.Measured}");
        return result;
    }

    // ---- Shared steps -------------------------------------------------------------------------------------------

    /// <summary>The steady load, started and warmed up.</summary>
    private async Task StartLoadAsync(int scenario)
    {
        _load.Start(scenario);
        await Task.Delay(Warmup);
    }

    /// <summary>
    /// From the end of a fault until the system is back to normal, under the continuing load: every service ready,
    /// every outbox past what was committed when the fault ended, every command acknowledged by then in every
    /// downstream read model, no queue with a backlog. The seconds it took (or null if not within 180 s).
    /// </summary>
    private async Task<double?> MeasureRecoveryAsync(int scenario, DateTimeOffset faultEnd, ScenarioResult result)
    {
        var floors = new Dictionary<string, long>();
        foreach (var schema in Checker.Schemas) floors[schema] = await Retry(() => _checker.MaxSequenceAsync(schema));
        var ackedByEnd = _ledger.Of(scenario).Where(c => c.Acknowledged && c.AnsweredAt <= faultEnd).ToList();
        var watch = Stopwatch.StartNew();
        string last = "";
        var timeline = new List<string>();
        while (watch.Elapsed < TimeSpan.FromSeconds(180))
        {
            var now = await NotNormalAsync(floors, ackedByEnd);
            // What held recovery back, each time it changes (a number of commands is one reason as it counts down).
            if (Reason(now) != Reason(last) || timeline.Count == 0)
            {
                timeline.Add($"+{(DateTimeOffset.UtcNow - faultEnd).TotalSeconds:0.0} s {(now.Length == 0 ? "normal" : now)}");
            }
            last = now;
            if (last.Length == 0)
            {
                result.Notes.Add("recovery: " + string.Join(" → ", timeline));
                var seconds = (DateTimeOffset.UtcNow - faultEnd).TotalSeconds;
                result.Expect("back to normal within 60 s of the fault's end (ready, outboxes caught up, acknowledged writes everywhere, no backlog)",
                    seconds <= RecoveryLimit.TotalSeconds, $"{seconds:0.0} s");
                return seconds;
            }
            await Task.Delay(250);
        }
        result.Notes.Add("recovery: " + string.Join(" → ", timeline));
        result.Expect("back to normal within 60 s of the fault's end", false, "not after 180 s: " + last);
        return null;

        static string Reason(string s) => new([.. s.TakeWhile(c => !char.IsDigit(c))]);
    }

    /// <summary>Why the system is not back to normal yet; empty when it is.</summary>
    private async Task<string> NotNormalAsync(Dictionary<string, long> floors, IReadOnlyList<CommandRecord> acked)
    {
        try
        {
            var notReady = new List<string>();
            foreach (var s in FaultSettings.Services) if (!await _services.IsReadyAsync(s.Name)) notReady.Add(s.Name);
            if (notReady.Count > 0) return "not ready: " + string.Join(", ", notReady);
            foreach (var (schema, floor) in floors)
            {
                var progress = await _checker.PublisherProgressAsync(schema);
                if (progress < floor) return $"{schema} outbox at {progress} < {floor}";
            }
            var missing = await _checker.NotYetEverywhereAsync(acked);
            if (missing > 0) return $"{missing} acknowledged commands not yet everywhere";
            var queues = await _infra.QueuesAsync();
            var unconsumed = queues.Where(q => q.IsConsumerQueue && q.Consumers == 0).ToList();
            if (unconsumed.Count > 0) return "no consumer on " + string.Join(", ", unconsumed.Select(q => $"{q.Name} ({q.Messages} waiting)"));
            var backlog = queues.Where(q => q.IsConsumerQueue && q.MessagesReady > BacklogTolerance).ToList();
            if (backlog.Count > 0) return "backlog: " + string.Join(", ", backlog.Select(q => $"{q.Name} {q.MessagesReady}"));
            return "";
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or HttpRequestException or TaskCanceledException or TimeoutException)
        {
            return e.GetType().Name + ": " + e.Message;
        }
    }

    /// <summary>
    /// With the load stopped: every subscription at the last committed event and every consumer queue empty.
    /// </summary>
    private async Task<string> WaitQuietAsync(TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        var why = "";
        while (watch.Elapsed < timeout)
        {
            try
            {
                var behind = (await _checker.ProgressAsync()).Where(p => p.Progress < p.Last).ToList();
                var queues = (await _infra.QueuesAsync()).Where(q => q.IsConsumerQueue && q.Messages > 0).ToList();
                if (behind.Count == 0 && queues.Count == 0) return "";
                why = string.Join("; ", behind.Select(b => $"{b.Schema}/{b.Name} at {b.Progress} of {b.Last}").Concat(queues.Select(q => $"{q.Name}: {q.Messages}")));
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or HttpRequestException or TaskCanceledException)
            {
                why = e.Message;
            }
            await Task.Delay(500);
        }
        return why;
    }

    /// <summary>Stops the load, waits for quiet, and checks the poison and dead-letter promises.</summary>
    private async Task FinishAsync(ScenarioResult result, int expectedPoison = 0)
    {
        await _load.StopAsync();
        var quiet = await WaitQuietAsync(TimeSpan.FromSeconds(90));
        result.Expect("quiet once the load stops (outboxes at the last event, queues empty)", quiet.Length == 0, quiet.Length == 0 ? "yes" : quiet);
        var errors = await ErrorQueueCountsAsync();
        result.Expect("_error queues hold only the injected poison messages", errors.Values.Sum() == expectedPoison,
            errors.Values.Sum() == 0 ? "all empty" : Describe(errors));
        var dead = await _checker.DeadLettersAsync();
        result.Expect("no Marten dead-letter event", dead.Values.Sum() == 0, dead.Values.Sum() == 0 ? "none" : Describe(dead));
    }

    private async Task<Dictionary<string, long>> ErrorQueueCountsAsync()
    {
        await Task.Delay(1500); // the management API samples queue depths every second
        return (await _infra.QueuesAsync()).Where(q => (q.IsError || q.IsSkipped) && q.Messages > 0).ToDictionary(q => q.Name, q => q.Messages);
    }

    private static string Describe<T>(Dictionary<string, T> d) => string.Join(", ", d.Select(kv => $"{kv.Key}: {kv.Value}"));

    private static async Task<T> Retry<T>(Func<Task<T>> read)
    {
        for (var i = 0; ; i++)
        {
            try
            {
                return await read();
            }
            catch (Npgsql.NpgsqlException) when (i < 60)
            {
                await Task.Delay(500);
            }
        }
    }

    /// <summary>Answers of the given attempts as "503 ×12, 201 ×3".</summary>
    private static string Statuses(IEnumerable<Attempt> attempts) =>
        string.Join(", ", attempts.GroupBy(a => a.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no answer")
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} ×{g.Count()}"));

    public async ValueTask DisposeAsync()
    {
        if (_load is not null) await _load.StopAsync();
        if (_observer is not null) await _observer.DisposeAsync();
        await _services.DisposeAsync();
        foreach (var p in _postgres.Values.Concat(_rabbit.Values)) await p.DisposeAsync();
        _client?.Dispose();
        if (!_settings.KeepInfrastructure)
        {
            Console.WriteLine("Stopping the faults infrastructure");
            await _infra.StopAsync();
        }
        _infra.Dispose();
    }
}
