using Coordination.Bench.Infrastructure;
using Coordination.ServiceDefaults.Demo;
using Npgsql;

namespace Coordination.Bench.Sections;

/// <summary>
/// The load needs the demo bodies in every service's copies (a referral to the CAF is refused if Referrals does
/// not know the CAF). A shared development database whose copies were reset after Directory published them
/// lacks them: then Directory's outbox is rewound (ADR 0002: "a new consumer back-fills by rewinding the
/// publisher's subscription") while Directory is stopped, and the bench waits until the copies are back.
/// </summary>
public static class DemoDirectory
{
    private static readonly string[] Copies = ["consents", "referrals", "appointments"];

    public static async Task Ensure(BenchSettings settings, SystemProcesses processes)
    {
        if (await Missing(settings) == 0) return;
        Console.WriteLine("  the demo bodies are missing from some services' copies: rewinding Directory's outbox");
        await processes.Stop("Directory");
        await using (var connection = new NpgsqlConnection(settings.SystemDatabase))
        {
            await connection.OpenAsync();
            // The row goes: a progression row left at 0 makes Marten insert it again on the first page and fail on the
            // duplicate key, for ever (seen: Directory's outbox stopped with "pk_mt_event_progression" on every try).
            await using var rewind = new NpgsqlCommand("delete from directory.mt_event_progression where name like 'contract-publisher%'", connection);
            await rewind.ExecuteNonQueryAsync();
        }
        await processes.Start("Directory", 5101);
        for (var i = 0; i < 240; i++)
        {
            if (await Missing(settings) == 0) return;
            await Task.Delay(500);
        }
        throw new InvalidOperationException("The demo bodies did not reach the services' copies within 2 minutes.");
    }

    private static async Task<long> Missing(BenchSettings settings)
    {
        var ids = DemoData.Bodies.Select(b => b.Id).ToArray();
        await using var connection = new NpgsqlConnection(settings.SystemDatabase);
        await connection.OpenAsync();
        long missing = 0;
        foreach (var schema in Copies)
        {
            await using var command = new NpgsqlCommand($"select $2 - count(*) from {schema}.mt_doc_bodycopy where id = any($1)", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = ids });
            command.Parameters.Add(new NpgsqlParameter { Value = (long)ids.Length });
            missing += (long)(await command.ExecuteScalarAsync())!;
        }
        return missing;
    }
}
