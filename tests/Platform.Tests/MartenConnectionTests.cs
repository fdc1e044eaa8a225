using Coordination.ServiceDefaults.Persistence;
using Coordination.Testing;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit;

namespace Platform.Tests;

/// <summary>
/// Every service's Marten connections prepare the statements they run most (ADR 0081): unprepared, PostgreSQL parsed
/// and planned each statement of every read; and they go back to the pool without Npgsql's reset (ADR 0082), which cost
/// a third of PostgreSQL's CPU per follow-up read. Each setting is added to the configured connection string unless the
/// string names it; a first version asked Npgsql's builder whether it named it, which answers for any keyword Npgsql
/// knows, and so never prepared anything.
/// </summary>
public sealed class MartenConnectionTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    [Fact]
    public void AConnectionStringWithoutTheSettings_GetsThem()
    {
        var result = new NpgsqlConnectionStringBuilder(MartenSetup.ForMarten("Host=db;Username=u;Password=p;SSL Mode=Disable"));
        Assert.Equal(MartenSetup.AutoPreparedStatements, result.MaxAutoPrepare);
        Assert.True(result.NoResetOnClose);
        Assert.Equal("db", result.Host);
        Assert.Equal(SslMode.Disable, result.SslMode);
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0", 0, true)]
    [InlineData("Host=db;max auto prepare=7;No Reset On Close=false", 7, false)]
    [InlineData("Host=db;noresetonclose=false", MartenSetup.AutoPreparedStatements, false)]
    public void AConnectionStringThatNamesASetting_KeepsItsValue(string connectionString, int prepared, bool noReset)
    {
        var result = new NpgsqlConnectionStringBuilder(MartenSetup.ForMarten(connectionString));
        Assert.Equal(prepared, result.MaxAutoPrepare);
        Assert.Equal(noReset, result.NoResetOnClose);
    }

    [Theory]
    [InlineData("Host=db", false, null)]
    [InlineData("Host=db", true, MartenSetup.GenericPlans + " " + MartenSetup.SolidStatePageCost)]
    [InlineData("Host=db;Options=-c search_path=x", true, "-c search_path=x " + MartenSetup.GenericPlans + " " + MartenSetup.SolidStatePageCost)]
    [InlineData("Host=db;Options=-c plan_cache_mode=auto", true, "-c plan_cache_mode=auto " + MartenSetup.SolidStatePageCost)]
    [InlineData("Host=db;Options=-c random_page_cost=2", true, "-c random_page_cost=2 " + MartenSetup.GenericPlans)]
    public void GenericPlans_AreAskedForOnlyWhenTheServiceOptsIn_AndAStringThatSetsThePlanModeOrThePageCostWins(string connectionString, bool genericPlans,
        string? options)
    {
        var result = new NpgsqlConnectionStringBuilder(MartenSetup.ForMarten(connectionString, genericPlans));
        Assert.Equal(options, result.Options);
    }

    [Fact]
    public async Task ReferralsSessions_PlanPreparedStatementsOnce_OtherServicesKeepTheDefault()
    {
        foreach (var (services, expected) in new[] { (fixture.Referrals.Services, "force_generic_plan"), (fixture.Directory.Services, "auto") })
        {
            await using var session = services.GetRequiredService<IDocumentStore>().QuerySession();
            var mode = (await session.QueryAsync<string>("select current_setting('plan_cache_mode')")).Single();
            Assert.Equal(expected, mode);
        }
    }

    [Fact]
    public async Task ReferralsDaemonPageQuery_WalksTheSequenceIndex_InAYoungStore()
    {
        // The async daemon's page query, as Marten writes it, planned generically on a connection of Referrals' store,
        // over a copy of its event tables holding 20 000 events. At PostgreSQL's default random_page_cost the generic
        // plan read every event up to the high-water mark and sorted them for each page of 500 (ADR 0087); the control
        // asks for that cost on the same connection and must get the sort back.
        var store = (DocumentStore)fixture.Referrals.Services.GetRequiredService<IDocumentStore>();
        var schema = store.Options.Events.DatabaseSchemaName;
        var young = "young_" + Guid.NewGuid().ToString("N")[..8];
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        var prepared = false;
        try
        {
            await Execute(connection, $$"""
                create schema {{young}};
                create table {{young}}.mt_streams (like {{schema}}.mt_streams including all);
                create table {{young}}.mt_events (like {{schema}}.mt_events including all);
                insert into {{young}}.mt_streams (id) select md5(i::text)::uuid from generate_series(1, 20000) i;
                insert into {{young}}.mt_events (seq_id, id, stream_id, version, data, type)
                  select i, md5('e' || i)::uuid, md5(i::text)::uuid, 1, jsonb_build_object('note', repeat('x', 700)),
                    case when i % 3 = 0 then 'referral_sent' else 'person_data_read' end from generate_series(1, 20000) i;
                analyze {{young}}.mt_streams; analyze {{young}}.mt_events;
                """);

            var plan = await Plan();
            Assert.True(plan.Contains("Index Scan using", StringComparison.Ordinal) && !plan.Contains("Sort", StringComparison.Ordinal), plan);

            // A prepared statement keeps its generic plan when a setting changes: prepared again after it.
            await Execute(connection, "deallocate page");
            prepared = false;
            await Execute(connection, "set random_page_cost = 4");
            plan = await Plan();
            Assert.True(plan.Contains("Sort", StringComparison.Ordinal), plan);
        }
        finally
        {
            // The store's connections go back to the pool without a reset: leave nothing behind.
            // (Only its own statement: Npgsql's prepared statements on this connection stay.)
            await Execute(connection, (prepared ? "deallocate page; " : "") + $"reset random_page_cost; drop schema if exists {young} cascade");
        }

        async Task<string> Plan()
        {
            await Execute(connection, $$"""
                prepare page(bigint, bigint, text[]) as select d.data, d.type, d.seq_id, d.id, d.stream_id, d.version,
                  d.timestamp, s.type as stream_type from {{young}}.mt_events as d inner join {{young}}.mt_streams as s
                  on d.stream_id = s.id where d.seq_id > $1 and d.seq_id <= $2 and d.type = ANY($3) and d.is_archived = FALSE
                  order by d.seq_id limit 500
                """);
            prepared = true;
            await using var explain = new NpgsqlCommand("explain execute page(0, 20000, '{referral_sent}')", connection);
            var lines = new List<string>();
            await using var reader = await explain.ExecuteReaderAsync();
            while (await reader.ReadAsync()) lines.Add(reader.GetString(0));
            return string.Join('\n', lines);
        }
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task AServicesStore_GivesItsConnectionsBackWithoutReset()
    {
        var store = (DocumentStore)fixture.Referrals.Services.GetRequiredService<IDocumentStore>();
        await using var connection = store.Storage.Database.CreateConnection();
        Assert.True(new NpgsqlConnectionStringBuilder(connection.ConnectionString).NoResetOnClose);
    }

    [Fact]
    public async Task AServicesConnection_PreparesAStatementItRunsRepeatedly()
    {
        var store = (DocumentStore)fixture.Referrals.Services.GetRequiredService<IDocumentStore>();
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        for (var i = 0; i < 6; i++)
        {
            await using var command = new NpgsqlCommand("select count(*) from referrals.mt_doc_bodycopy where id = $1", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = Guid.CreateVersion7() });
            await command.ExecuteScalarAsync();
        }

        await using var prepared = new NpgsqlCommand(
            "select count(*) from pg_prepared_statements where statement like '%referrals.mt_doc_bodycopy where id = $1%'", connection);
        Assert.Equal(1L, (long)(await prepared.ExecuteScalarAsync())!);
    }
}
