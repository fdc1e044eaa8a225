using System.Diagnostics;
using Coordination.ServiceDefaults.Demo;
using Npgsql;

namespace Coordination.Faults;

/// <summary>Where one command must be found: a document of a read model, by its id.</summary>
public sealed record Expected(string Model, string Table, string Id);

/// <summary>The outcome of one scenario's commands, counted from the databases, not from the answers.</summary>
public sealed class Verdict
{
    public int Sent { get; set; }
    public int Acknowledged { get; set; }
    public int Refused { get; set; }
    public int Unknown { get; set; }
    /// <summary>Acknowledged, in their own stream exactly once and in every downstream read model.</summary>
    public int Found { get; set; }
    /// <summary>Acknowledged but missing from their stream or from a downstream read model.</summary>
    public int Lost { get; set; }
    /// <summary>Commands whose token is in more than one stream (applied twice).</summary>
    public int Duplicated { get; set; }
    /// <summary>Refused commands whose write exists anyway.</summary>
    public int RefusedButWritten { get; set; }
    /// <summary>Commands with no definite answer whose write exists (the client would find it by retrying).</summary>
    public int UnknownButWritten { get; set; }
    public Dictionary<string, int> MissingByModel { get; } = [];
    public List<string> Examples { get; } = [];
}

/// <summary>
/// Reads the faults cluster directly (never through a proxy): event streams, copies, subscription progress and dead
/// letters of the five schemas.
/// </summary>
public sealed class Checker(FaultSettings settings)
{
    public static readonly string[] Schemas = ["identity", "directory", "consents", "referrals", "appointments"];

    private NpgsqlConnection Open() => new(settings.Database());

    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = Open();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? default! : (T)Convert.ChangeType(result, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<List<(string, string)>> PairsAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = Open();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string)>();
        while (await reader.ReadAsync()) rows.Add((reader.GetValue(0).ToString()!, reader.GetValue(1).ToString()!));
        return rows;
    }

    public async Task EventuallyAsync(Func<Task<bool>> probe, TimeSpan timeout, string what)
    {
        var watch = Stopwatch.StartNew();
        Exception? last = null;
        while (watch.Elapsed < timeout)
        {
            try
            {
                if (await probe()) return;
            }
            catch (Exception e) when (e is NpgsqlException or HttpRequestException or TimeoutException)
            {
                last = e;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"{what} did not happen within {timeout.TotalSeconds:0} s.", last);
    }

    public async Task<bool> ExistsAsync(string table, Guid id) =>
        await ScalarAsync<long>($"select count(*) from {table} where id = @id", ("id", id)) == 1;

    public async Task<bool> DemoBodiesCopiedAsync()
    {
        var ids = DemoData.Bodies.Select(b => b.Id).ToArray();
        foreach (var schema in new[] { "consents", "referrals", "appointments" })
        {
            if (await ScalarAsync<long>($"select count(*) from {schema}.mt_doc_bodycopy where id = any(@ids)", ("ids", ids)) != ids.Length) return false;
        }
        return true;
    }

    public async Task<bool> PersonsCopiedAsync(IReadOnlyList<Guid> persons)
    {
        var ids = persons.Select(p => p.ToString()).ToArray();
        var registered = persons.Select(p => InvolvementKey(p, DemoData.CcasNarbonne, "Registered", null)).ToArray();
        return await ScalarAsync<long>("select count(*) from referrals.mt_doc_grantcopy where data->>'personId' = any(@ids) and data->>'known' = 'true'",
                   ("ids", ids)) == 2 * persons.Count
            && await ScalarAsync<long>("select count(*) from appointments.mt_doc_grantcopy where data->>'personId' = any(@ids) and data->>'known' = 'true'",
                   ("ids", ids)) == 2 * persons.Count
            && await ScalarAsync<long>("select count(*) from referrals.mt_doc_involvementrecord where id = any(@ids)", ("ids", registered)) == persons.Count
            && await ScalarAsync<long>("select count(*) from appointments.mt_doc_personcopy where id = any(@ids)", ("ids", persons.ToArray())) == persons.Count;
    }

    public static string InvolvementKey(Guid person, Guid body, string kind, Guid? item) =>
        $"{person:N}:{body:N}:{kind}:{item?.ToString("N") ?? "-"}";

    /// <summary>Every read model outside its own service a command's write must reach.</summary>
    public static IEnumerable<Expected> Downstream(CommandRecord c, Guid id) => c.Kind switch
    {
        CommandKind.Referral =>
        [
            new("Consents involvement", "consents.mt_doc_involvementrecord", InvolvementKey(c.PersonId, DemoData.CcasNarbonne, "ReferralSender", id)),
            new("Consents involvement", "consents.mt_doc_involvementrecord", InvolvementKey(c.PersonId, DemoData.CafAude, "ReferralReceiver", id)),
            new("Appointments involvement", "appointments.mt_doc_involvementrecord", InvolvementKey(c.PersonId, DemoData.CcasNarbonne, "ReferralSender", id)),
            new("Appointments involvement", "appointments.mt_doc_involvementrecord", InvolvementKey(c.PersonId, DemoData.CafAude, "ReferralReceiver", id)),
            new("Appointments referral copy", "appointments.mt_doc_referralcopy", id.ToString()),
        ],
        CommandKind.Booking =>
        [
            new("Referrals appointment copy", "referrals.mt_doc_appointmentcopy", id.ToString()),
            new("Referrals involvement", "referrals.mt_doc_involvementrecord", InvolvementKey(c.PersonId, DemoData.CafAude, "AppointmentHost", id)),
            new("Referrals involvement", "referrals.mt_doc_involvementrecord", InvolvementKey(c.PersonId, DemoData.FranceServicesNarbonne, "AppointmentBooker", id)),
            new("Consents involvement", "consents.mt_doc_involvementrecord", InvolvementKey(c.PersonId, DemoData.CafAude, "AppointmentHost", id)),
            new("Consents involvement", "consents.mt_doc_involvementrecord", InvolvementKey(c.PersonId, DemoData.FranceServicesNarbonne, "AppointmentBooker", id)),
        ],
        _ => [],
    };

    /// <summary>The streams each token was written to (a referral's reason, a booking's note).</summary>
    public async Task<Dictionary<string, List<Guid>>> StreamsByTokenAsync(IReadOnlyCollection<CommandRecord> commands)
    {
        var result = new Dictionary<string, List<Guid>>();
        async Task Read(string sql, string[] tokens)
        {
            if (tokens.Length == 0) return;
            foreach (var (token, stream) in await PairsAsync(sql, ("tokens", tokens)))
            {
                if (!result.TryGetValue(token, out var list)) result[token] = list = [];
                list.Add(Guid.Parse(stream));
            }
        }
        await Read("select data->>'reason', stream_id from referrals.mt_events where type = 'referral_sent' and data->>'reason' = any(@tokens)",
            [.. commands.Where(c => c.Kind == CommandKind.Referral).Select(c => c.Token)]);
        await Read("select data->>'note', stream_id from appointments.mt_events where type = 'appointment_booked' and data->>'note' = any(@tokens)",
            [.. commands.Where(c => c.Kind == CommandKind.Booking).Select(c => c.Token)]);
        return result;
    }

    /// <summary>Which of the expected documents exist.</summary>
    public async Task<HashSet<(string Table, string Id)>> PresentAsync(IEnumerable<Expected> expected)
    {
        var present = new HashSet<(string, string)>();
        foreach (var group in expected.GroupBy(e => e.Table))
        {
            var ids = group.Select(e => e.Id).Distinct().ToArray();
            // Copies keyed by a uuid are looked up as uuids (their primary key index), involvement keys as text.
            var uuids = ids.All(i => Guid.TryParse(i, out _));
            foreach (var chunk in ids.Chunk(2000))
            {
                object parameter = uuids ? chunk.Select(Guid.Parse).ToArray() : chunk;
                foreach (var (id, _) in await PairsAsync($"select id::text, 1 from {group.Key} where id = any(@ids)", ("ids", parameter)))
                {
                    present.Add((group.Key, id));
                }
            }
        }
        return present;
    }

    /// <summary>Counts, for the creating commands given, what the databases hold.</summary>
    public async Task<Verdict> VerifyAsync(IReadOnlyList<CommandRecord> all)
    {
        var commands = all.Where(c => c.Kind is CommandKind.Referral or CommandKind.Booking).ToList();
        var verdict = new Verdict
        {
            Sent = commands.Count,
            Acknowledged = commands.Count(c => c.Acknowledged),
            Refused = commands.Count(c => c.Outcome == Outcome.Refused),
            Unknown = commands.Count(c => c.Outcome is Outcome.Unknown or Outcome.Pending),
        };
        var streams = await StreamsByTokenAsync(commands);
        var expected = new List<(CommandRecord Command, Expected Where)>();
        foreach (var c in commands)
        {
            var written = streams.TryGetValue(c.Token, out var s) ? s : [];
            if (written.Count > 1)
            {
                verdict.Duplicated++;
                verdict.Examples.Add($"duplicated: {c.Kind} {c.Token} in streams {string.Join(", ", written)}");
            }
            if (c.Outcome == Outcome.Refused && written.Count > 0)
            {
                verdict.RefusedButWritten++;
                verdict.Examples.Add($"refused ({c.FinalStatus}) but written: {c.Kind} {c.Token}");
            }
            if (c.Outcome != Outcome.Acknowledged && c.Outcome != Outcome.Refused && written.Count > 0) verdict.UnknownButWritten++;
            if (!c.Acknowledged) continue;
            if (written.Count == 0)
            {
                verdict.Lost++;
                Count(verdict.MissingByModel, "own stream");
                verdict.Examples.Add($"lost: {c.Kind} {c.Token} acknowledged as {c.CreatedId}, not in its event store");
                continue;
            }
            if (c.CreatedId is { } id && !written.Contains(id))
            {
                verdict.Examples.Add($"answer names {id} but the token is in {string.Join(", ", written)}: {c.Token}");
            }
            foreach (var e in Downstream(c, written[0])) expected.Add((c, e));
        }
        var present = await PresentAsync(expected.Select(x => x.Where));
        foreach (var byCommand in expected.GroupBy(x => x.Command))
        {
            var missing = byCommand.Where(x => !present.Contains((x.Where.Table, x.Where.Id))).ToList();
            if (missing.Count == 0)
            {
                verdict.Found++;
                continue;
            }
            verdict.Lost++;
            foreach (var m in missing.Select(m => m.Where.Model).Distinct()) Count(verdict.MissingByModel, m);
            if (verdict.Examples.Count < 20) verdict.Examples.Add($"missing downstream: {byCommand.Key.Kind} {byCommand.Key.Token} not in {string.Join(", ", missing.Select(m => m.Where.Model).Distinct())}");
        }
        return verdict;

        static void Count(Dictionary<string, int> d, string key) => d[key] = d.GetValueOrDefault(key) + 1;
    }

    /// <summary>Acknowledged commands not yet everywhere (used while waiting for recovery).</summary>
    public async Task<int> NotYetEverywhereAsync(IReadOnlyList<CommandRecord> commands)
    {
        var acked = commands.Where(c => c.Acknowledged && c.CreatedId is not null && c.Kind is CommandKind.Referral or CommandKind.Booking).ToList();
        var expected = acked.SelectMany(c => Downstream(c, c.CreatedId!.Value).Select(e => (c, e))).ToList();
        var present = await PresentAsync(expected.Select(x => x.e));
        return expected.Where(x => !present.Contains((x.e.Table, x.e.Id))).Select(x => x.c).Distinct().Count();
    }

    /// <summary>Each subscription (the outbox, and Appointments' webhook outbox) against the last committed event.</summary>
    public async Task<List<(string Schema, string Name, long Progress, long Last)>> ProgressAsync()
    {
        var rows = new List<(string, string, long, long)>();
        foreach (var schema in Schemas)
        {
            var last = await ScalarAsync<long>($"select coalesce(max(seq_id), 0) from {schema}.mt_events");
            var progress = await PairsAsync($"select name, last_seq_id from {schema}.mt_event_progression where name not like 'HighWater%'");
            foreach (var (name, seq) in progress) rows.Add((schema, name, long.Parse(seq, System.Globalization.CultureInfo.InvariantCulture), last));
            if (last > 0 && !progress.Any(p => p.Item1.StartsWith("contract-publisher", StringComparison.Ordinal)))
            {
                rows.Add((schema, "contract-publisher (no progress yet)", 0, last));
            }
        }
        return rows;
    }

    public async Task<long> MaxSequenceAsync(string schema) => await ScalarAsync<long>($"select coalesce(max(seq_id), 0) from {schema}.mt_events");

    public async Task<long> PublisherProgressAsync(string schema) =>
        await ScalarAsync<long>($"select coalesce(max(last_seq_id), 0) from {schema}.mt_event_progression where name like 'contract-publisher%'");

    /// <summary>Marten's dead-lettered events, per schema.</summary>
    public async Task<Dictionary<string, long>> DeadLettersAsync()
    {
        var result = new Dictionary<string, long>();
        foreach (var schema in Schemas)
        {
            var exists = await ScalarAsync<long>("select count(*) from information_schema.tables where table_schema = @s and table_name = 'mt_doc_deadletterevent'", ("s", schema));
            result[schema] = exists == 0 ? 0 : await ScalarAsync<long>($"select count(*) from {schema}.mt_doc_deadletterevent");
        }
        return result;
    }

    /// <summary>
    /// The version of every document the consumers write (copies, involvement, inboxes): a document stored again —
    /// even with the same content — gets a new version, so a redelivery that changed anything shows here.
    /// </summary>
    public async Task<Dictionary<string, string>> SnapshotAsync()
    {
        var tables = await PairsAsync("""
            select table_schema, table_name from information_schema.tables
            where table_schema in ('identity', 'directory', 'consents', 'referrals', 'appointments')
              and table_name like 'mt_doc_%' and (table_name like '%copy' or table_name like '%involvementrecord' or table_name = 'mt_doc_inbox')
            """);
        var snapshot = new Dictionary<string, string>();
        foreach (var (schema, table) in tables)
        {
            foreach (var (id, version) in await PairsAsync($"select id::text, mt_version::text from {schema}.{table}"))
            {
                snapshot[$"{schema}.{table}/{id}"] = version;
            }
        }
        return snapshot;
    }

    public async Task<Dictionary<string, long>> EventCountsAsync()
    {
        var counts = new Dictionary<string, long>();
        foreach (var schema in Schemas) counts[schema] = await ScalarAsync<long>($"select count(*) from {schema}.mt_events");
        return counts;
    }
}
