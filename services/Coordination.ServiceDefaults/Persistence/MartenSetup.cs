using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Coordination.ServiceDefaults.Messaging;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Polly;
using Polly.Retry;
using Weasel.Core;

namespace Coordination.ServiceDefaults.Persistence;

public static class MartenSetup
{
    /// <summary>
    /// The retry of a read the store sends (ADR 0061): a refused or reset connection is tried again at once, up to three
    /// times, never a timeout. A statement a service sends to the store's database without Marten takes the same.
    /// </summary>
    public static RetryStrategyOptions QuickRetry() => new()
    {
        ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && TransientFailures.IsQuickRetry(e)),
        MaxRetryAttempts = 3,
        Delay = TimeSpan.FromMilliseconds(50),
        BackoffType = DelayBackoffType.Exponential,
    };

    /// <summary>The longest a hole in the event sequence may hold the daemon while some transaction might still fill it.</summary>
    public static readonly TimeSpan HeldHoleCap = TimeSpan.FromSeconds(45);

    /// <summary>
    /// How many statements Npgsql keeps prepared on each pooled connection (those run at least five times). A read runs
    /// the same dozen statements for every request: unprepared, PostgreSQL parsed and planned each of them every time,
    /// two thirds of the follow-up read's time in the database (ADR 0081). A connection string that says otherwise wins.
    /// </summary>
    public const int AutoPreparedStatements = 100;

    /// <summary>
    /// The connection string of a service's Marten store: statements prepared (above) and connections given back to
    /// the pool without Npgsql's reset, unless the string names either setting. The reset (SET SESSION AUTHORIZATION,
    /// RESET ALL, CLOSE ALL, UNLISTEN, pg_advisory_unlock_all, DISCARD SEQUENCES and TEMP) ran in PostgreSQL ahead of
    /// the next statement every time a session gave its connection back, about twice per read: 7-9 % of the
    /// database's CPU per follow-up read, measured side by side (ADR 0082). Nothing of ours leaves session state on Marten's connections (no SET,
    /// LISTEN, temporary table or cursor); the session advisory locks Marten takes (the daemon's leadership, schema
    /// migrations) are released by Marten itself, and a store's connections close with the store. The webhook pump,
    /// whose lock lives as long as its connection, opens its own from the configured string and keeps the reset.
    /// </summary>
    /// <param name="genericPlans">
    /// PostgreSQL plans each prepared statement once for all parameter values (<c>plan_cache_mode=force_generic_plan</c>,
    /// set for the store's sessions only) instead of planning it anew at every execution. By default it keeps planning
    /// anew whenever its estimate for the generic plan is worse, which it is for every <c>= ANY($1)</c> lookup (an array of
    /// unknown length): those were re-planned on every read. A service opts in once its queries are known to have no
    /// parameter whose value the best plan depends on (a <c>LIKE</c> prefix, a skewed value); ADR 0084.
    /// With it, the store's sessions also cost a random page read as on solid-state storage (<c>random_page_cost=1.1</c>,
    /// PostgreSQL's default of 4 being a spinning disk's): a generic plan is costed from default selectivities — a range
    /// of unknown bounds is ≈ 0.5 % of the rows — and at 4 the async daemon's page query (events after the last one
    /// processed, in order, 500 at a time) was planned, in stores of up to at least 107 000 events, as reading every event up to the
    /// high-water mark, joining every stream and sorting, for each page (67 ms a page at 24 000 events, 293 ms at 107 000,
    /// against 1 ms walking the index). A connection string that sets either value itself wins; ADR 0087.
    /// </param>
    public static string ForMarten(string connectionString, bool genericPlans = false)
    {
        // Whether the string names a setting is read from its own keys: NpgsqlConnectionStringBuilder.ContainsKey
        // answers whether a keyword is one Npgsql knows, so it said yes for every string and nothing was ever prepared.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        bool Names(string setting) => given.Keys.Cast<string>()
            .Any(k => k.Replace(" ", "", StringComparison.Ordinal).Equals(setting, StringComparison.OrdinalIgnoreCase));
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Names("MaxAutoPrepare")) builder.MaxAutoPrepare = AutoPreparedStatements;
        if (!Names("NoResetOnClose")) builder.NoResetOnClose = true;
        if (genericPlans && builder.Options?.Contains("plan_cache_mode", StringComparison.Ordinal) != true)
        {
            builder.Options = $"{builder.Options} {GenericPlans}".Trim();
        }
        if (genericPlans && builder.Options?.Contains("random_page_cost", StringComparison.Ordinal) != true)
        {
            builder.Options = $"{builder.Options} {SolidStatePageCost}".Trim();
        }
        return builder.ConnectionString;
    }

    public const string GenericPlans = "-c plan_cache_mode=force_generic_plan";

    public const string SolidStatePageCost = "-c random_page_cost=1.1";

    /// <summary>The advisory lock id of a schema's migrations: stable across processes, distinct per schema.</summary>
    public static int ApplyChangesLockIdFor(string schema) =>
        BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes("coordination-migrations:" + schema))) & int.MaxValue;

    /// <summary>
    /// Marten for one service: its own schema, camelCase JSON, Guid streams, the publishing subscription
    /// (the event store is the outbox) and the async daemon in HotCold mode so that only one node per
    /// database publishes and projects.
    /// </summary>
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddCoordinationMarten(
        this IHostApplicationBuilder builder, ServiceInfo service, Action<StoreOptions> configure, bool genericPlans = false)
    {
        var connectionString = builder.Configuration.GetConnectionString("Postgres")
            ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not configured.");
        var topologyOnly = builder.Configuration.GetValue<bool>(MessagingSetup.DeployTopologyOnlyKey);

        var marten = builder.Services.AddMarten(opts =>
        {
            opts.Connection(ForMarten(connectionString, genericPlans));
            opts.DatabaseSchemaName = service.Schema;
            opts.Events.DatabaseSchemaName = service.Schema;
            opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase,
                json => json.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.SnakeCaseLower)));
            opts.Events.StreamIdentity = StreamIdentity.AsGuid;
            // Quick appends are ~30 % faster here and we never rely on versions being assigned before commit.
            opts.Events.AppendMode = EventAppendMode.Quick;
            // Headers carry the W3C traceparent so that the outbox continues the HTTP request's trace.
            opts.Events.MetadataConfig.HeadersEnabled = true;
            opts.Events.MetadataConfig.CorrelationIdEnabled = true;
            // The daemon polls for appends (ADR 0002): at the 1 s default a subscription saw an append ~0.5 s later; at
            // 25/10 ms the five idle services burnt 0.75 of a core (each poll a transaction of its own). 100/25 ms keeps
            // the lag within a poll or two for a quarter of that. Waking on LISTEN/NOTIFY instead was measured (idle cost
            // 0.12 of a core) and not kept: one test run saw an outbox stay silent for minutes with it (and one since
            // without it: ADR 0002).
            opts.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(100);
            opts.Projections.FastPollingTime = TimeSpan.FromMilliseconds(25);
            // A hole left by a rolled-back append is passed once it is proven dead; without a cap, any transaction of
            // the shared database that began before the hole and stays open (a psql session, a report) holds every
            // projection and the outbox behind it for as long as it lives. Our own appends commit within one command
            // timeout (30 s) of taking their number, so past the cap nothing of ours can still fill it (ADR 0008).
            opts.Projections.SkipStaleGapsDespiteLiveTransactionsAfter = HeldHoleCap;
            opts.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
            // Nodes of one service take this advisory lock to migrate its schema one at a time. Marten's default id is
            // the same for every store, so the five services, which share one database, queued behind each other's
            // migrations: one long migration (columns added to 120 000 slots) made the others give up at start.
            opts.ApplyChangesLockId = ApplyChangesLockIdFor(service.Schema);
            // Reads retry a refused or reset connection at once (cheap), never a timeout: a request during an
            // outage is answered 503 instead of waiting for four connect timeouts in a row (ADR 0061).
            opts.ConfigurePolly(polly => polly.AddRetry(QuickRetry()));
            opts.Schema.For<InboxEntry>().DocumentAlias("inbox");
            opts.Schema.For<IdempotencyRecord>().DocumentAlias("idempotency");
            configure(opts);
        })
        .UseLightweightSessions()
        .ApplyAllDatabaseChangesOnStartup();

        if (!topologyOnly)
        {
            builder.Services.AddHostedService<IdempotencyPurge>();
            marten.AddAsyncDaemon(DaemonMode.HotCold)
                .AddSubscriptionWithServices<ContractPublisher>(ServiceLifetime.Singleton, o =>
                {
                    o.Name = ContractPublisher.SubscriptionName;
                    o.Options.BatchSize = 500;
                });
        }
        return marten;
    }
}
