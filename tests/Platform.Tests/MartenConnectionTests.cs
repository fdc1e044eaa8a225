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
    [InlineData("Host=db", true, MartenSetup.GenericPlans)]
    [InlineData("Host=db;Options=-c search_path=x", true, "-c search_path=x " + MartenSetup.GenericPlans)]
    [InlineData("Host=db;Options=-c plan_cache_mode=auto", true, "-c plan_cache_mode=auto")]
    public void GenericPlans_AreAskedForOnlyWhenTheServiceOptsIn_AndAStringThatSetsThePlanModeWins(string connectionString, bool genericPlans,
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
