using System.Globalization;
using Npgsql;

namespace Coordination.Faults;

/// <summary>One service of the isolated system: its port and the proxies its PostgreSQL and RabbitMQ links go through.</summary>
public sealed record ServiceSpec(string Name, int Port, int PostgresProxyPort, int RabbitProxyPort)
{
    public string Key => Name.ToLowerInvariant();
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");
}

/// <summary>
/// Where the fault suite runs. Everything is its own: PostgreSQL cluster 15/faults on 5433, RabbitMQ node
/// faults@localhost on 5673 (management 15673), the services on 5200–5204, proxies on 5210–5214 (PostgreSQL) and
/// 5220–5224 (RabbitMQ). The developer's cluster (5432), node (5672) and services (5100–5104) are never named.
/// </summary>
public sealed record FaultSettings(string Root, IReadOnlySet<int> Only, double Rate, bool KeepInfrastructure, bool Hold = false)
{
    public const int PostgresPort = 5433;
    public const int RabbitPort = 5673;
    public const int ManagementPort = 15673;
    public const string Vhost = "coordination";
    public const string User = "coordination";
    public const string Password = "coordination";

    public static readonly IReadOnlyList<ServiceSpec> Services =
    [
        new("Identity", 5200, 5210, 5220),
        new("Directory", 5201, 5211, 5221),
        new("Consents", 5202, 5212, 5222),
        new("Referrals", 5203, 5213, 5223),
        new("Appointments", 5204, 5214, 5224),
    ];

    public static ServiceSpec Service(string name) => Services.Single(s => s.Name == name);

    public string RunDirectory => Path.Combine(Root, ".run", "faults");
    public string Logs => Path.Combine(RunDirectory, "logs");
    public string Pids => Path.Combine(RunDirectory, "pids");
    public string Keys => Path.Combine(RunDirectory, "keys");
    public string InfraScript => Path.Combine(Root, "infra", "local", "faults-infra.sh");
    public Uri Issuer => Service("Identity").BaseAddress;
    public Uri Management => new($"http://{User}:{Password}@127.0.0.1:{ManagementPort}");
    public Uri Amqp => new($"amqp://{User}:{Password}@127.0.0.1:{RabbitPort}/{Vhost}");

    /// <summary>The suite's own view of the database: straight to the cluster, never through a proxy.</summary>
    public string Database(string name = "coordination") => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = PostgresPort, Username = User, Password = Password, Database = name,
        MaxPoolSize = 20, Timeout = 5, CommandTimeout = 30,
    }.ConnectionString;

    /// <summary>
    /// What a service is given: its proxy, and a command timeout shorter than Npgsql's 30 s so that a request whose
    /// connection went silent (a partition) is answered 503 in about ten seconds instead of hanging half a minute.
    /// The connect timeout stays at 10 s: it also covers loading the server's types on a service's first connection,
    /// which took over 4 s while the services started at once on two busy cores. A request during an outage is bounded
    /// by the services themselves (ADR 0061), which scenario 3 measures.
    /// </summary>
    public static string ServicePostgres(ServiceSpec s, string database, int pool) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = s.PostgresProxyPort, Username = User, Password = Password, Database = database,
        MaxPoolSize = pool, Timeout = 10, CommandTimeout = 10, CancellationTimeout = 1000,
    }.ConnectionString;

    public static string ServiceRabbit(ServiceSpec s) => $"amqp://{User}:{Password}@127.0.0.1:{s.RabbitProxyPort}/{Vhost}";

    public bool Runs(int scenario) => Only.Count == 0 || Only.Contains(scenario);

    public static FaultSettings Parse(string[] args, string root)
    {
        var only = new HashSet<int>();
        var rate = 6.0;
        var keep = false;
        var hold = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--only":
                    foreach (var s in args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries)) only.Add(int.Parse(s, CultureInfo.InvariantCulture));
                    break;
                case "--rate": rate = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--keep-infra": keep = true; break;
                case "--hold": hold = true; break;
                default:
                    throw new ArgumentException($"Unknown option {args[i]}. Options: --only 1,2,… (scenarios) --rate <commands/s> --keep-infra --hold (start the isolated system, wait for Ctrl+C)");
            }
        }
        return new FaultSettings(root, only, rate, keep, hold);
    }
}
