using Npgsql;

namespace Coordination.Bench;

/// <summary>Where the benchmark runs and for how long; every figure of one report comes from one run.</summary>
public sealed record BenchSettings(TimeSpan Duration, string Scale, IReadOnlySet<string> Only, string Root)
{
    public string PostgresAdmin { get; init; } =
        Environment.GetEnvironmentVariable("COORDINATION_TEST_POSTGRES") ?? "Host=127.0.0.1;Port=5432;Username=coordination;Password=coordination";

    public Uri Rabbit { get; init; } =
        new(Environment.GetEnvironmentVariable("COORDINATION_TEST_RABBITMQ") ?? "amqp://coordination:coordination@127.0.0.1:5672");

    public Uri RabbitManagement { get; init; } =
        new(Environment.GetEnvironmentVariable("COORDINATION_TEST_RABBITMQ_MANAGEMENT") ?? "http://coordination:coordination@127.0.0.1:15672");

    /// <summary>The running system's database (./coordination up).</summary>
    public string SystemDatabase => new NpgsqlConnectionStringBuilder(PostgresAdmin) { Database = "coordination" }.ConnectionString;

    /// <summary>The raw reads' connections: prepared statements as the services have them (MartenSetup), so that the raw
    /// baseline is the same SQL with the same driver setting.</summary>
    // The raw read replays Referrals' statements with the connection settings Referrals uses (generic plans included).
    public string RawReads => Coordination.ServiceDefaults.Persistence.MartenSetup.ForMarten(SystemDatabase, genericPlans: true);

    /// <summary>A database of the benchmark's own for the raw baselines, dropped and recreated each run.</summary>
    public string BaselineDatabase => new NpgsqlConnectionStringBuilder(PostgresAdmin) { Database = "coordination_bench", MaxPoolSize = 64 }.ConnectionString;

    /// <summary>What issue 8 asks for; run unless --only names others.</summary>
    public static readonly string[] DefaultSections = ["baselines", "followup", "e2e", "memory"];

    /// <summary>The other issues' read and delay targets (3–6), run with --extras or by name in --only.</summary>
    public static readonly string[] ExtraSections = ["revocation", "consent-record", "slots", "bookings", "directory"];

    public bool Extras { get; init; }

    public bool Runs(string section) =>
        Only.Count == 0 ? DefaultSections.Contains(section) || (Extras && ExtraSections.Contains(section)) : Only.Contains(section) || Only.Contains("all");

    public bool Full => string.Equals(Scale, "full", StringComparison.OrdinalIgnoreCase);

    /// <summary>Where ./coordination up keeps the services' pids and logs.</summary>
    public string RunDir => Environment.GetEnvironmentVariable("COORDINATION_RUN_DIR") ?? Path.Combine(Root, ".run");

    public Uri Identity { get; init; } = new("http://127.0.0.1:5100/");
    public Uri Directory { get; init; } = new("http://127.0.0.1:5101/");
    public Uri Consents { get; init; } = new("http://127.0.0.1:5102/");
    public Uri Referrals { get; init; } = new("http://127.0.0.1:5103/");
    public Uri Appointments { get; init; } = new("http://127.0.0.1:5104/");

    /// <summary>The five services as ./coordination starts them: name and port.</summary>
    public static readonly (string Name, int Port)[] Services =
        [("Identity", 5100), ("Directory", 5101), ("Consents", 5102), ("Referrals", 5103), ("Appointments", 5104)];

    /// <summary>How long one step of a load ramp (or one read measure) lasts: the run's duration.</summary>
    public TimeSpan Step => Duration;

    public static BenchSettings Parse(string[] args, string root)
    {
        TimeSpan? duration = null;
        var scale = "small";
        var extras = false;
        var only = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--duration": duration = TimeSpan.FromSeconds(int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture)); break;
                case "--scale": scale = args[++i]; break;
                case "--only": foreach (var s in args[++i].Split(',')) only.Add(s.Trim()); break;
                case "--extras": extras = true; break;
                default:
                    throw new ArgumentException($"Unknown option {args[i]}. Options: --duration <seconds> --scale small|full " +
                        $"--only {string.Join(',', DefaultSections.Concat(ExtraSections))}|all --extras");
            }
        }
        if (scale is not ("small" or "full")) throw new ArgumentException($"--scale is small or full, not {scale}");
        // The small scale is a quick look (a few minutes); the full scale is the run whose report is committed.
        return new BenchSettings(duration ?? TimeSpan.FromSeconds(scale == "full" ? 20 : 8), scale, only, root) { Extras = extras };
    }
}
