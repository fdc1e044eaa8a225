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

    /// <summary>A database of the benchmark's own for the raw baselines, dropped and recreated each run.</summary>
    public string BaselineDatabase => new NpgsqlConnectionStringBuilder(PostgresAdmin) { Database = "coordination_bench", MaxPoolSize = 64 }.ConnectionString;

    public bool Runs(string section) => Only.Count == 0 || Only.Contains(section);

    public static BenchSettings Parse(string[] args, string root)
    {
        var duration = TimeSpan.FromSeconds(20);
        var scale = "small";
        var only = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--duration": duration = TimeSpan.FromSeconds(int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture)); break;
                case "--scale": scale = args[++i]; break;
                case "--only": foreach (var s in args[++i].Split(',')) only.Add(s.Trim()); break;
                default: throw new ArgumentException($"Unknown option {args[i]}. Options: --duration <seconds> --scale small|full --only <sections>");
            }
        }
        return new BenchSettings(duration, scale, only, root);
    }
}
