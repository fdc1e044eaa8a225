using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Coordination.Testing;

/// <summary>Where a searched string was found: a column of a table, or a message of a queue.</summary>
public sealed record Hit(string Where, long Count);

/// <summary>
/// Looks for a string everywhere a fixture keeps data: every text, character and JSON column of every table of every
/// schema of its databases (the services' Marten schemas and Identity's OpenIddict store), and every message waiting in
/// every queue of its vhost, the <c>_error</c> and <c>_skipped</c> queues included.
/// </summary>
public static class PersonalDataScan
{
    private static readonly string[] TextTypes = ["text", "character varying", "character", "json", "jsonb", "xml", "name"];

    /// <summary>Every column holding text in every user table of the database, and how many rows contain the needle (case ignored).</summary>
    public static async Task<IReadOnlyList<Hit>> DatabaseAsync(string connectionString, string needle)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var columns = new List<(string Schema, string Table, string Column)>();
        await using (var list = new NpgsqlCommand(
            "select c.table_schema, c.table_name, c.column_name from information_schema.columns c " +
            "join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE' " +
            "where c.table_schema not in ('pg_catalog', 'information_schema') and c.table_schema not like 'pg_toast%' and c.data_type = any($1)",
            connection))
        {
            list.Parameters.Add(new NpgsqlParameter { Value = TextTypes });
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync()) columns.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }
        var hits = new List<Hit>();
        foreach (var (schema, table, column) in columns)
        {
            await using var count = new NpgsqlCommand(
                $"select count(*) from {Quote(schema)}.{Quote(table)} where {Quote(column)}::text ilike $1", connection);
            count.Parameters.Add(new NpgsqlParameter { Value = "%" + EscapeLike(needle) + "%" });
            var n = (long)(await count.ExecuteScalarAsync() ?? 0L);
            if (n > 0) hits.Add(new Hit($"{connection.Database}:{schema}.{table}.{column}", n));
        }
        return hits;
    }

    /// <summary>How many columns the database scan reads (to show the scan is not empty).</summary>
    public static async Task<int> ColumnCountAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select count(*) from information_schema.columns where table_schema not in ('pg_catalog', 'information_schema') and data_type = any($1)",
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = TextTypes });
        return Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Every message waiting in every queue of the vhost, read through the management API without consuming it (got and
    /// requeued), payload and properties (headers included), searched for the needle (case ignored).
    /// </summary>
    public static async Task<(IReadOnlyList<Hit> Hits, int Queues, int Messages)> QueuesAsync(TestVhost vhost, string needle)
    {
        var endpoints = await TestInfrastructure.GetAsync();
        using var http = TestInfrastructure.ManagementClient(endpoints.Management);
        var queues = await http.GetFromJsonAsync<List<JsonElement>>($"api/queues/{Uri.EscapeDataString(vhost.Name)}") ?? [];
        var hits = new List<Hit>();
        var messages = 0;
        foreach (var queue in queues)
        {
            var name = queue.GetProperty("name").GetString()!;
            using var response = await http.PostAsJsonAsync(
                $"api/queues/{Uri.EscapeDataString(vhost.Name)}/{Uri.EscapeDataString(name)}/get",
                new { count = 10_000, ackmode = "ack_requeue_true", encoding = "auto", truncate = 10_000_000 });
            response.EnsureSuccessStatusCode();
            var got = await response.Content.ReadFromJsonAsync<List<JsonElement>>() ?? [];
            messages += got.Count;
            var found = got.Count(m => m.GetRawText().Contains(needle, StringComparison.OrdinalIgnoreCase)
                || (m.TryGetProperty("payload", out var p) && (p.GetString() ?? "").Contains(needle, StringComparison.OrdinalIgnoreCase)));
            if (found > 0) hits.Add(new Hit("queue " + name, found));
        }
        return (hits, queues.Count, messages);
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string EscapeLike(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
