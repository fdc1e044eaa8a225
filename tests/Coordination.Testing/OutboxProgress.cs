using System.Text;
using Coordination.ServiceDefaults.Messaging;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Coordination.Testing;

/// <summary>
/// Waits for a service's outbox (the contract-publisher subscription) to pass a sequence number, and when it does not,
/// says why: where the publisher, the high water mark and the stuck-gap clock stand, what lies just past the mark and
/// which transactions of the database are old. A stall of the outbox is a production symptom, so a timeout must
/// carry what is needed to tell a held gap from a stopped agent or a slow broker.
/// </summary>
public static class OutboxProgress
{
    public static async Task AssertPassed(IServiceHost host, TestDatabase database, long sequence, TimeSpan timeout, string because)
    {
        var schema = host.Name;
        try
        {
            await CoordinationFixture.AssertEventually(async () => await database.Scalar<long?>(
                $"select last_seq_id from {schema}.mt_event_progression where name = '{ContractPublisher.SubscriptionName}:All'") >= sequence,
                timeout, because);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} Waiting for sequence {sequence}.{Environment.NewLine}{Agents(host)}{await Explain(database, schema)}", e);
        }
    }

    /// <summary>
    /// Polls a probe that depends on <paramref name="publisher"/>'s outbox (a copy in another service, a consume span);
    /// on timeout the message carries the publisher's daemon state, as <see cref="AssertPassed"/> does.
    /// </summary>
    public static async Task AssertDelivered(IServiceHost publisher, TestDatabase database, Func<Task<bool>> probe, TimeSpan timeout, string because)
    {
        try
        {
            await CoordinationFixture.AssertEventually(probe, timeout, because);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}{Environment.NewLine}{Agents(publisher)}{await Explain(database, publisher.Name)}", e);
        }
    }

    private static string Agents(IServiceHost host)
    {
        var daemon = host.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase();
        var text = new StringBuilder($"-- agents (high-water detection running: {daemon.IsRunning})").AppendLine();
        foreach (var agent in daemon.CurrentAgents())
        {
            text.AppendLine($"{agent.Name.Identity} | {agent.Status} | paused {agent.PausedTime}");
        }
        return text.ToString();
    }

    public static async Task<string> Explain(TestDatabase database, string schema)
    {
        var text = new StringBuilder();
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await Rows(connection, text, "progression", $"select name, last_seq_id, last_updated from {schema}.mt_event_progression order by name");
        await Rows(connection, text, "sequence", $"select last_value, (select max(seq_id) from {schema}.mt_events) from {schema}.mt_events_sequence");
        await Rows(connection, text, "events past the mark",
            $"select seq_id, type, timestamp from {schema}.mt_events where seq_id > coalesce((select last_seq_id from {schema}.mt_event_progression where name = 'HighWaterMark'), 0) order by seq_id limit 10");
        await Rows(connection, text, "transactions older than 2 s",
            "select pid, datname, state, xact_start, backend_xid, left(query, 120) from pg_stat_activity " +
            "where xact_start < now() - interval '2 seconds' and pid <> pg_backend_pid() order by xact_start");
        return text.ToString();
    }

    private static async Task Rows(NpgsqlConnection connection, StringBuilder text, string title, string sql)
    {
        text.AppendLine($"-- {title}");
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var values = new object[reader.FieldCount];
            reader.GetValues(values);
            text.AppendLine(string.Join(" | ", values));
        }
    }
}
