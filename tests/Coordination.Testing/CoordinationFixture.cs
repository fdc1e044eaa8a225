using System.Net.Http.Headers;
using Coordination.ServiceDefaults.Messaging;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Coordination.Testing;

[Flags]
public enum Services
{
    Identity = 1,
    Directory = 2,
    Consents = 4,
    Referrals = 8,
    Appointments = 16,
    All = Identity | Directory | Consents | Referrals | Appointments,
}

/// <summary>
/// A running system for a test class or collection: a fresh database and vhost, Identity on a known port
/// (it is the token issuer), then the other services asked for. Every service's queues exist once it has
/// started, so nothing the tests publish is lost.
/// </summary>
public class CoordinationFixture(Services services) : IAsyncLifetime
{
    private readonly List<IServiceHost> _hosts = [];

    public TestDatabase Database { get; private set; } = null!;
    public TestVhost Vhost { get; private set; } = null!;
    public Tokens Tokens { get; private set; } = null!;
    public string Issuer { get; private set; } = null!;

    public IServiceHost Identity => Host("identity");
    public IServiceHost Directory => Host("directory");
    public IServiceHost Consents => Host("consents");
    public IServiceHost Referrals => Host("referrals");
    public IServiceHost Appointments => Host("appointments");

    public IReadOnlyList<IServiceHost> Hosts => _hosts;

    public static string KeysPath { get; } = Path.Combine(Path.GetTempPath(), "coordination-tests", "keys");

    /// <summary>Adds to a service's registrations before it starts (fault injection around a real part).</summary>
    protected virtual void ConfigureServices(string service, IServiceCollection collection)
    {
    }

    /// <summary>Extra settings for a service (e.g. a smaller request size limit).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings(string service) => [];

    public async Task InitializeAsync()
    {
        var infrastructure = await TestInfrastructure.GetAsync();
        var database = TestDatabase.CreateAsync(infrastructure.PostgresAdmin);
        var vhost = TestVhost.CreateAsync(infrastructure);
        Database = await database;
        Vhost = await vhost;

        var identityPort = Ports.FreePort();
        Issuer = $"http://127.0.0.1:{identityPort}/";
        await Start(NewHost("identity", identityPort));
        Tokens = new Tokens(new Uri(Issuer));

        var others = new List<Task>();
        if (services.HasFlag(Services.Directory)) others.Add(Start(NewHost("directory", 0)));
        if (services.HasFlag(Services.Consents)) others.Add(Start(NewHost("consents", 0)));
        if (services.HasFlag(Services.Referrals)) others.Add(Start(NewHost("referrals", 0)));
        if (services.HasFlag(Services.Appointments)) others.Add(Start(NewHost("appointments", 0)));
        await Task.WhenAll(others);

        // Services seed demo data as they start, some before the others' queues exist. Production runs the
        // topology step first; here every outbox is rewound once all queues exist — the designed back-fill
        // for a new consumer — and idempotent consumers absorb what they had already seen.
        foreach (var host in _hosts)
        {
            var daemon = host.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase();
            await ContractPublisher.RewindAsync(daemon, 0, CancellationToken.None);
        }
        foreach (var host in _hosts)
        {
            var daemon = host.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase();
            await AssertEventually(() => Task.FromResult(daemon.IsRunning), TimeSpan.FromSeconds(30), $"{host.Name}'s high-water detection running");
        }
    }

    /// <summary>
    /// A host for a service found by name (<c>Directory.Api.DirectoryApi</c> in <c>Directory.Api</c>): the test
    /// project references the services it starts.
    /// </summary>
    public IServiceHost NewHost(string service, int port, IEnumerable<KeyValuePair<string, string?>>? extraSettings = null)
    {
        var name = char.ToUpperInvariant(service[0]) + service[1..];
        var marker = Type.GetType($"{name}.Api.{name}Api, {name}.Api")
            ?? throw new InvalidOperationException($"The test project does not reference services/{name}/{name}.Api.");
        var settings = SettingsFor(service);
        foreach (var (key, value) in extraSettings ?? []) settings[key] = value;
        Action<IServiceCollection> configure = c => ConfigureServices(service, c);
        return (IServiceHost)Activator.CreateInstance(typeof(ServiceHost<>).MakeGenericType(marker), service, port, settings, configure)!;
    }

    private async Task Start(IServiceHost host)
    {
        lock (_hosts) _hosts.Add(host);
        await host.StartAsync();
    }

    public Dictionary<string, string?> SettingsFor(string service)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = Database.ConnectionString,
            ["ConnectionStrings:Identity"] = Database.IdentityConnectionString,
            ["ConnectionStrings:RabbitMq"] = Vhost.AmqpUri.ToString(),
            ["Auth:Authority"] = Issuer,
            ["Identity:Issuer"] = Issuer,
            ["Identity:KeysPath"] = KeysPath,
            ["Identity:AllowHttp"] = "true",
            ["Demo:Seed"] = "true",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in Settings(service)) settings[key] = value;
        return settings;
    }

    public IServiceHost Host(string name) =>
        _hosts.FirstOrDefault(h => h.Name == name) ?? throw new InvalidOperationException($"{name} is not started by this fixture.");

    /// <summary>An HTTP client for a service, carrying a bearer token when one is given.</summary>
    public HttpClient Client(IServiceHost host, string? token = null)
    {
        var client = host.Client();
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<HttpClient> AdminClient(IServiceHost host) => Client(host, await Tokens.Client());

    public async Task<HttpClient> UserClient(IServiceHost host, string login) => Client(host, await Tokens.User(login));

    /// <summary>Polls a probe until it holds or the timeout passes (then fails with the last observation).</summary>
    public static async Task AssertEventually(Func<Task<bool>> probe, TimeSpan timeout, string because = "the condition")
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await probe()) return;
                last = null;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                last = e;
            }
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"{because} did not hold within {timeout.TotalSeconds:0.#} s.", last);
            }
            await Task.Delay(50);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            try
            {
                await host.DisposeAsync();
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                // A host stopped by its test (fault scenarios) is already gone.
            }
        }
        await Vhost.DisposeAsync();
        await Database.DisposeAsync();
    }
}
