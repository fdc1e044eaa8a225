using Marten.Events.Daemon;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;

namespace Coordination.ServiceDefaults.Hosting;

public static class HealthSetup
{
    private static readonly string[] Ready = ["ready"];

    /// <summary>/health/live answers while the process runs; /health/ready checks PostgreSQL, RabbitMQ, the bus and the async daemon.</summary>
    public static IHostApplicationBuilder AddCoordinationHealth(this IHostApplicationBuilder builder, bool withDaemon = true)
    {
        var postgres = builder.Configuration.GetConnectionString("Postgres")!;
        var rabbit = builder.Configuration.GetConnectionString("RabbitMq")!;
        builder.Services.AddSingleton(new RabbitHealthConnection(new Uri(rabbit)));
        var checks = builder.Services.AddHealthChecks()
            .AddNpgSql(postgres, name: "postgres", tags: Ready, timeout: TimeSpan.FromSeconds(3))
            .AddRabbitMQ(sp => sp.GetRequiredService<RabbitHealthConnection>().GetAsync(), name: "rabbitmq", tags: Ready, timeout: TimeSpan.FromSeconds(3));
        if (withDaemon)
        {
            checks.AddMartenAsyncDaemonHealthCheck(maxEventLag: 10_000);
        }
        return builder;
    }

    public static WebApplication MapCoordinationHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous().ExcludeFromDescription();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = _ => true,
            ResponseWriter = WriteReport,
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static Task WriteReport(HttpContext http, HealthReport report) =>
        http.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()),
        });

    /// <summary>One connection for the health check, re-created after a failure (the broker may start after us).</summary>
    public sealed class RabbitHealthConnection(Uri uri) : IAsyncDisposable
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private IConnection? _connection;

        public async Task<IConnection> GetAsync()
        {
            if (_connection is { IsOpen: true } open) return open;
            await _gate.WaitAsync();
            try
            {
                if (_connection is { IsOpen: true } again) return again;
                if (_connection is not null) await _connection.DisposeAsync();
                _connection = await new ConnectionFactory { Uri = uri, ClientProvidedName = "health" }.CreateConnectionAsync();
                return _connection;
            }
            finally
            {
                _gate.Release();
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_connection is not null) await _connection.DisposeAsync();
            _gate.Dispose();
        }
    }
}
