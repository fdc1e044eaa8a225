using Npgsql;

namespace Coordination.Testing;

/// <summary>A fresh database per fixture (and its own for Identity's OpenIddict store), dropped afterwards.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string _admin;

    private TestDatabase(string admin, string name)
    {
        _admin = admin;
        Name = name;
    }

    public string Name { get; }

    public string IdentityName => Name + "_identity";

    public string ConnectionString => new NpgsqlConnectionStringBuilder(_admin) { Database = Name, MaxPoolSize = 40 }.ConnectionString;

    public string IdentityConnectionString => new NpgsqlConnectionStringBuilder(_admin) { Database = IdentityName, MaxPoolSize = 20 }.ConnectionString;

    public static async Task<TestDatabase> CreateAsync(string admin)
    {
        var db = new TestDatabase(admin, "ct_" + Guid.NewGuid().ToString("N")[..12]);
        await db.Execute($"CREATE DATABASE {db.Name}");
        await db.Execute($"CREATE DATABASE {db.IdentityName}");
        return db;
    }

    public async Task<T?> Scalar<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task Execute(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_admin) { Database = "postgres" }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Drop(Name);
        await Drop(IdentityName);
    }

    /// <summary>
    /// FORCE ends the sessions still connected, but PostgreSQL 15 refuses (42501) while an autovacuum worker is in the
    /// database, since the test role may not signal it (seen once in a full run): the worker is done within moments.
    /// </summary>
    private async Task Drop(string database)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await Execute($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege && attempt < 50)
            {
                await Task.Delay(200);
            }
        }
    }
}
