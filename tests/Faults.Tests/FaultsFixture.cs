using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Coordination.ServiceDefaults.Demo;
using Coordination.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit;

namespace Faults.Tests;

/// <summary>
/// Identity, Directory, Consents and Referrals in-process on one database and vhost, every consumption watched by
/// <see cref="ConsumeHook"/>. The scenarios follow referrals: Referrals publishes ReferralSent, Consents' involvement
/// consumer (an idempotent copy) records the sender and the receiver. Consents can be stopped and started again
/// (scenario 4): <see cref="ConsentsHost"/> is the one running.
/// </summary>
public sealed class FaultsFixture : CoordinationFixture, IAsyncLifetime
{
    public const string SocialWorker = "social-worker@demo";
    public const string CafAgent = "caf-agent@demo";
    public const string Need = "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits";
    public const string InvolvementQueue = "consents-referral-involvement";

    private IServiceHost? _restartedConsents;
    private int _persons;

    public FaultsFixture() : base(Coordination.Testing.Services.Identity | Coordination.Testing.Services.Directory
        | Coordination.Testing.Services.Consents | Coordination.Testing.Services.Referrals)
    {
    }

    public ConsumeHook Hook { get; } = new();

    public IServiceHost ConsentsHost => _restartedConsents ?? Consents;

    protected override void ConfigureServices(string service, IServiceCollection collection)
    {
        collection.AddSingleton(Hook);
        collection.AddConsumeObserver<HookObserver>();
        // A stopped host gives up on a held delivery after 2 s instead of 15: its connection closes, the broker
        // puts the unacknowledged message back.
        collection.Configure<MassTransitHostOptions>(o => o.StopTimeout = TimeSpan.FromSeconds(2));
    }

    async Task IAsyncLifetime.InitializeAsync() => await InitializeAsync();

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (_restartedConsents is not null) await _restartedConsents.DisposeAsync();
        await DisposeAsync();
    }

    /// <summary>Stops Consents (as a host shutting down: no further ack) and starts a new one on the same database and vhost.</summary>
    public async Task RestartConsentsAsync(Func<Task> whileStopped)
    {
        var old = ConsentsHost;
        await old.DisposeAsync();
        await whileStopped();
        var fresh = NewHost("consents", 0);
        await fresh.StartAsync();
        if (_restartedConsents is not null && _restartedConsents != old) await _restartedConsents.DisposeAsync();
        _restartedConsents = fresh;
    }

    /// <summary>A person registered by the CCAS with a follow-up grant to the CAF, through Consents' API.</summary>
    public async Task<Guid> PersonAsync()
    {
        var n = Interlocked.Increment(ref _persons);
        using var http = await UserClient(ConsentsHost, SocialWorker);
        using var request = new HttpRequestMessage(HttpMethod.Post, "persons")
        {
            Content = JsonContent.Create(new
            {
                givenName = "Faults",
                familyName = "Personne " + Letters(n) + " " + Letters(Random.Shared.Next(1000, 100000)),
                birthDate = new DateOnly(1950, 1, 1).AddDays(n * 41 + Random.Shared.Next(0, 30)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                consentCollection = "in_person",
                grants = new object[]
                {
                    new { bodyId = DemoData.CafAude, categories = new[] { "identity", "orientation", "orientation_details", "contacts" }, purpose = "follow_up_coordination" },
                },
            }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"registering a person: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["id"]!.GetValue<Guid>();
    }

    /// <summary>
    /// A referral from the CCAS to the CAF; retried with the same Idempotency-Key while the person's grant is still on
    /// its way to Referrals. The referral's id.
    /// </summary>
    public async Task<Guid> ReferralAsync(Guid person)
    {
        using var http = await UserClient(Referrals, SocialWorker);
        var key = Guid.NewGuid().ToString();
        Guid id = default;
        string last = "";
        try
        {
            await AssertEventually(async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "referrals")
                {
                    Content = JsonContent.Create(new { personId = person, toBodyId = DemoData.CafAude, need = Need, reason = "faults " + key }),
                };
                request.Headers.Add("Idempotency-Key", key);
                using var response = await http.SendAsync(request);
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                if (response.StatusCode != HttpStatusCode.Created) return false;
                id = JsonNode.Parse(last[4..])!["id"]!.GetValue<Guid>();
                return true;
            }, TimeSpan.FromSeconds(60), "the referral accepted");
        }
        catch (TimeoutException e)
        {
            // Say what Referrals kept answering (consent-required: the grant never reached its copy; 5xx: an outage).
            throw new TimeoutException($"{e.Message} Last answer: {last}", e);
        }
        return id;
    }

    /// <summary>Involvement records Consents holds for a referral (sender and receiver: 2 once applied).</summary>
    public Task<long> InvolvementsAsync(Guid referral) =>
        ScalarAsync<long>("select count(*) from consents.mt_doc_involvementrecord where data->>'itemId' = @id", ("id", referral.ToString()));

    /// <summary>The documents the copy consumers of Consents and Referrals wrote, each with its version (a rewrite changes it).</summary>
    public async Task<Dictionary<string, string>> SnapshotAsync()
    {
        var snapshot = new Dictionary<string, string>();
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        var tables = new List<(string, string)>();
        await using (var list = new NpgsqlCommand("""
            select table_schema, table_name from information_schema.tables
            where table_schema in ('consents', 'referrals') and table_name like 'mt_doc_%'
              and (table_name like '%copy' or table_name like '%involvementrecord' or table_name = 'mt_doc_inbox')
            """, connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) tables.Add((reader.GetString(0), reader.GetString(1)));
        }
        foreach (var (schema, table) in tables)
        {
            await using var rows = new NpgsqlCommand($"select id::text, mt_version::text from {schema}.{table}", connection);
            await using var reader = await rows.ExecuteReaderAsync();
            while (await reader.ReadAsync()) snapshot[$"{schema}.{table}/{reader.GetString(0)}"] = reader.GetString(1);
        }
        return snapshot;
    }

    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task SqlAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Messages in every _error queue of the vhost, by queue, counted by the broker itself.</summary>
    public async Task<Dictionary<string, uint>> ErrorQueueCountsAsync()
    {
        var counts = new Dictionary<string, uint>();
        foreach (var queue in (await Vhost.QueueNames()).Where(q => q.EndsWith(ErrorQueues.Suffix, StringComparison.Ordinal)))
        {
            var n = await ErrorQueues.CountAsync(Vhost.AmqpUri, queue);
            if (n > 0) counts[queue] = n;
        }
        return counts;
    }

    private static string Letters(int i)
    {
        var s = "";
        do
        {
            s = (char)('a' + (i % 26)) + s;
            i /= 26;
        } while (i > 0);
        return s;
    }
}

[CollectionDefinition(Name)]
public sealed class FaultsCollection : ICollectionFixture<FaultsFixture>
{
    public const string Name = "faults";
}
