using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Coordination.Bench.Baselines;

/// <summary>
/// PostgreSQL's own ceiling for our kind of write: pgbench, one one-row JSONB insert per transaction, default
/// durability (synchronous commit), prepared statements (pgbench's fastest protocol).
/// </summary>
public static partial class PgBench
{
    public static async Task<double> TransactionsPerSecond(BenchSettings settings, int clients)
    {
        var cs = new NpgsqlConnectionStringBuilder(settings.BaselineDatabase);
        await using (var connection = new NpgsqlConnection(settings.BaselineDatabase))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "create table if not exists pgbench_jsonb (id bigserial primary key, data jsonb not null); truncate pgbench_jsonb;", connection);
            await command.ExecuteNonQueryAsync();
        }
        var script = Path.Combine(Path.GetTempPath(), "coordination-pgbench.sql");
        await File.WriteAllTextAsync(script, "insert into pgbench_jsonb (data) values ('{\"kind\":\"referral_sent\",\"need\":\"acces-aux-droits\"}');\n");

        var start = new ProcessStartInfo("pgbench")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["PGPASSWORD"] = cs.Password },
        };
        foreach (var arg in new[]
                 {
                     "-h", cs.Host!, "-p", cs.Port.ToString(CultureInfo.InvariantCulture), "-U", cs.Username!, "-n", "-M", "prepared",
                     "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", Math.Min(clients, Environment.ProcessorCount).ToString(CultureInfo.InvariantCulture),
                     "-T", ((int)settings.Duration.TotalSeconds).ToString(CultureInfo.InvariantCulture), "-f", script, cs.Database!,
                 })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("pgbench did not start (apt-get install postgresql-contrib).");
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var tps = Tps().Match(output);
        if (process.ExitCode != 0 || !tps.Success) throw new InvalidOperationException("pgbench failed: " + error + output);
        return double.Parse(tps.Groups["tps"].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"tps = (?<tps>[0-9.]+) \(without initial connection time\)")]
    private static partial Regex Tps();
}
