using System.Globalization;

namespace Coordination.Bench.Infrastructure;

/// <summary>
/// CPU time (user + system, from <c>/proc/&lt;pid&gt;/stat</c>) of the system's parts between two readings: each service,
/// PostgreSQL (every process of the cluster, its backends included), RabbitMQ (the Erlang VM) and this load generator.
/// Divided by a step's referrals, it says what one costs part by part, and so how many the machine's cores could carry
/// at that cost whatever the tuning.
/// </summary>
public sealed class CpuMeter(SystemProcesses processes)
{
    public const string PostgreSql = "PostgreSQL";
    public const string RabbitMq = "RabbitMQ";
    public const string Generator = "load generator";

    /// <summary>Linux reports process times in USER_HZ ticks, 100 a second on every architecture it runs on.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>The parts in the order reports list them.</summary>
    public static IReadOnlyList<string> Parts { get; } =
        [.. BenchSettings.Services.Select(s => s.Name), PostgreSql, RabbitMq, Generator];

    public sealed record Reading(IReadOnlyDictionary<int, (string Part, long Ticks)> Processes);

    public Reading Read()
    {
        var services = BenchSettings.Services.Select(s => (s.Name, Pid: processes.Pid(s.Name)))
            .Where(s => s.Pid is not null).ToDictionary(s => s.Pid!.Value, s => s.Name);
        var self = Environment.ProcessId;
        var found = new Dictionary<int, (string, long)>();
        foreach (var dir in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // "pid (comm) state ppid …": comm may hold spaces and parentheses, the fields after the last ')' do not.
                var close = stat.LastIndexOf(')');
                var comm = stat[(stat.IndexOf('(') + 1)..close];
                var part = services.TryGetValue(pid, out var service) ? service
                    : pid == self ? Generator
                    : comm == "postgres" ? PostgreSql
                    : comm == "beam.smp" ? RabbitMq
                    : null;
                if (part is null) continue;
                var fields = stat[(close + 2)..].Split(' ');
                // utime and stime: fields 14 and 15 of stat, 12 and 13 after the state.
                found[pid] = (part, long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                // The process ended while /proc was read.
            }
        }
        return new Reading(found);
    }

    /// <summary>
    /// Seconds of CPU per part between two readings. A process that started in between counts in full (a new
    /// PostgreSQL backend); one that ended in between is missed (backends are pooled and outlive a step).
    /// </summary>
    public static IReadOnlyDictionary<string, double> SecondsBetween(Reading start, Reading end)
    {
        var seconds = Parts.ToDictionary(p => p, _ => 0.0, StringComparer.Ordinal);
        foreach (var (pid, (part, ticks)) in end.Processes)
        {
            var before = start.Processes.TryGetValue(pid, out var s) && s.Part == part ? s.Ticks : 0;
            seconds[part] += Math.Max(0, ticks - before) / TicksPerSecond;
        }
        return seconds;
    }
}
