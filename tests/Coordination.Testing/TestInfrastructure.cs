using System.Net.Http.Headers;
using System.Text;
using Npgsql;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace Coordination.Testing;

/// <summary>
/// Where the tests find PostgreSQL and RabbitMQ: the environment first (COORDINATION_TEST_POSTGRES,
/// COORDINATION_TEST_RABBITMQ, COORDINATION_TEST_RABBITMQ_MANAGEMENT, set by ./coordination test); otherwise
/// the local defaults if they answer; otherwise containers where a Docker engine answers; otherwise the run
/// fails with what to start. Nothing is ever skipped for lack of infrastructure.
/// </summary>
public static class TestInfrastructure
{
    private const string LocalPostgres = "Host=127.0.0.1;Port=5432;Username=coordination;Password=coordination";
    private const string LocalRabbit = "amqp://coordination:coordination@127.0.0.1:5672";
    private const string LocalManagement = "http://coordination:coordination@127.0.0.1:15672";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static Endpoints? _endpoints;

    public sealed record Endpoints(string PostgresAdmin, Uri Rabbit, Uri Management);

    public static async Task<Endpoints> GetAsync()
    {
        if (_endpoints is not null) return _endpoints;
        await Gate.WaitAsync();
        try
        {
            return _endpoints ??= await Resolve();
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<Endpoints> Resolve()
    {
        var pg = Environment.GetEnvironmentVariable("COORDINATION_TEST_POSTGRES");
        var rabbit = Environment.GetEnvironmentVariable("COORDINATION_TEST_RABBITMQ");
        var management = Environment.GetEnvironmentVariable("COORDINATION_TEST_RABBITMQ_MANAGEMENT");
        if (pg is not null && rabbit is not null && management is not null)
        {
            return new Endpoints(pg, new Uri(rabbit), new Uri(management));
        }
        if (await Answers(LocalPostgres, new Uri(LocalManagement)))
        {
            return new Endpoints(LocalPostgres, new Uri(LocalRabbit), new Uri(LocalManagement));
        }
        try
        {
            var postgres = new PostgreSqlBuilder("postgres:15").WithUsername("coordination").WithPassword("coordination")
                .WithCommand("-c", "max_connections=500").Build();
            var broker = new RabbitMqBuilder("rabbitmq:3.13-management").WithUsername("coordination").WithPassword("coordination")
                .WithPortBinding(15672, true).Build();
            await Task.WhenAll(postgres.StartAsync(), broker.StartAsync());
            var amqp = new UriBuilder(broker.GetConnectionString()) { Path = "" }.Uri;
            var mgmt = new UriBuilder("http", broker.Hostname, broker.GetMappedPublicPort(15672)) { UserName = "coordination", Password = "coordination" }.Uri;
            var builder = new NpgsqlConnectionStringBuilder(postgres.GetConnectionString()) { Database = null };
            return new Endpoints(builder.ConnectionString, amqp, mgmt);
        }
        catch (Exception e) when (e.GetType().Name.Contains("Docker", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                "No PostgreSQL/RabbitMQ for the tests: run ./coordination test (it installs and starts both), or set " +
                "COORDINATION_TEST_POSTGRES, COORDINATION_TEST_RABBITMQ and COORDINATION_TEST_RABBITMQ_MANAGEMENT.", e);
        }
    }

    private static async Task<bool> Answers(string postgres, Uri management)
    {
        try
        {
            await using var connection = new NpgsqlConnection(postgres + ";Database=postgres;Timeout=3");
            await connection.OpenAsync();
            using var http = ManagementClient(management);
            using var response = await http.GetAsync(new Uri("api/overview", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is NpgsqlException or HttpRequestException or TaskCanceledException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    public static HttpClient ManagementClient(Uri management)
    {
        var http = new HttpClient { BaseAddress = new UriBuilder(management) { UserName = "", Password = "", Path = "/" }.Uri, Timeout = TimeSpan.FromSeconds(30) };
        var credentials = Uri.UnescapeDataString(management.UserInfo);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        return http;
    }
}
