using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Coordination.Testing;
using Npgsql;

namespace Coordination.Faults;

/// <summary>The suite's PostgreSQL cluster and RabbitMQ node, driven through infra/local/faults-infra.sh.</summary>
public sealed class Infrastructure(FaultSettings settings) : IDisposable
{
    private readonly HttpClient _management = TestInfrastructure.ManagementClient(settings.Management);

    public Task EnsureAsync() => Script("ensure");
    public Task StopAsync() => Script("stop");
    public Task StopPostgresAsync() => Script("pg-stop", "immediate");
    public Task StartPostgresAsync() => Script("pg-start");
    public Task KillRabbitAsync() => Script("rabbit-kill");
    public Task StartRabbitAsync() => Script("rabbit-start");

    private async Task Script(params string[] args)
    {
        var start = new ProcessStartInfo(settings.InfraScript) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = (await output + await error).Trim();
        if (text.Length > 0) Console.WriteLine(string.Join('\n', text.Split('\n').Select(l => "    " + l)));
        if (process.ExitCode != 0) throw new InvalidOperationException($"faults-infra.sh {string.Join(' ', args)} failed ({process.ExitCode}).");
    }

    /// <summary>A clean slate for each run: fresh databases on the faults cluster and a fresh vhost on the faults node.</summary>
    public async Task ResetAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using (var connection = new NpgsqlConnection(settings.Database("postgres")))
        {
            await connection.OpenAsync();
            foreach (var db in new[] { "coordination", "coordination_identity" })
            {
                await using var drop = new NpgsqlCommand($"drop database if exists {db} with (force)", connection);
                await drop.ExecuteNonQueryAsync();
                await using var create = new NpgsqlCommand($"create database {db}", connection);
                await create.ExecuteNonQueryAsync();
            }
        }
        await _management.DeleteAsync(new Uri($"api/vhosts/{FaultSettings.Vhost}", UriKind.Relative));
        (await _management.PutAsJsonAsync($"api/vhosts/{FaultSettings.Vhost}", new { })).EnsureSuccessStatusCode();
        (await _management.PutAsJsonAsync($"api/permissions/{FaultSettings.Vhost}/{FaultSettings.User}",
            new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
    }

    public async Task<IReadOnlyList<QueueInfo>> QueuesAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        return await _management.GetFromJsonAsync<List<QueueInfo>>($"api/queues/{FaultSettings.Vhost}", cts.Token) ?? [];
    }

    public async Task<IReadOnlyList<string>> ExchangesAsync()
    {
        var exchanges = await _management.GetFromJsonAsync<List<ExchangeInfo>>($"api/exchanges/{FaultSettings.Vhost}") ?? [];
        return exchanges.Select(e => e.Name).ToList();
    }

    public void Dispose() => _management.Dispose();

    public sealed record ExchangeInfo(string Name);

    public sealed record QueueInfo(
        string Name,
        long Messages,
        [property: JsonPropertyName("messages_ready")] long MessagesReady,
        [property: JsonPropertyName("messages_unacknowledged")] long MessagesUnacknowledged,
        int Consumers,
        [property: JsonPropertyName("message_stats")] MessageStats? MessageStats)
    {
        public bool IsError => Name.EndsWith(ErrorQueues.Suffix, StringComparison.Ordinal);
        public bool IsSkipped => Name.EndsWith("_skipped", StringComparison.Ordinal);
        /// <summary>The suite's own taps, not the system's.</summary>
        public bool IsSuite => Name.StartsWith("faults-", StringComparison.Ordinal);
        public bool IsConsumerQueue => !IsError && !IsSkipped && !IsSuite;
    }

    public sealed record MessageStats(long Redeliver, long Ack, [property: JsonPropertyName("deliver_get")] long DeliverGet);
}
