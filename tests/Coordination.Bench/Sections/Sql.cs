using Npgsql;

namespace Coordination.Bench.Sections;

/// <summary>Raw reads: the SQL Marten generated for an endpoint, replayed with Npgsql for another id.</summary>
public static class Sql
{
    public static NpgsqlBatch Batch(NpgsqlConnection connection, IEnumerable<NpgsqlCommand> commands, Guid probe, Guid id,
        (string Text, object Parameter)? extra = null)
    {
        var batch = new NpgsqlBatch(connection);
        foreach (var command in commands)
        {
            var copy = new NpgsqlBatchCommand(command.CommandText);
            foreach (NpgsqlParameter p in command.Parameters)
            {
                var value = p.Value is Guid g && g == probe ? id : p.Value;
                copy.Parameters.Add(new NpgsqlParameter { ParameterName = p.ParameterName, NpgsqlDbType = p.NpgsqlDbType, Value = value });
            }
            batch.BatchCommands.Add(copy);
        }
        if (extra is { } more) batch.BatchCommands.Add(new NpgsqlBatchCommand(more.Text) { Parameters = { new NpgsqlParameter { Value = more.Parameter } } });
        return batch;
    }

    /// <summary>Reads every row of every result (first column), as a client would before answering; returns the row count.</summary>
    public static async Task<int> ReadAll(NpgsqlBatch batch, CancellationToken ct)
    {
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var rows = 0;
        do
        {
            while (await reader.ReadAsync(ct))
            {
                reader.GetValue(0);
                rows++;
            }
        } while (await reader.NextResultAsync(ct));
        return rows;
    }
}
