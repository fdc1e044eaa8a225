using System.Text.Json;
using System.Text.Json.Serialization;
using Coordination.ServiceDefaults.Hosting;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.OpenApi;
using Coordination.ServiceDefaults.Security;
using Coordination.ServiceDefaults.Telemetry;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coordination.ServiceDefaults;

public static class ServiceDefaultsExtensions
{
    /// <summary>
    /// Everything a Coordination service shares: Problem Details for every error, validation, JSON, auth,
    /// OpenAPI, health and telemetry. Marten and MassTransit are added by the service with its own schema,
    /// projections, consumers and contract map.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder, ServiceInfo service,
        TokenSource tokens = TokenSource.RemoteIssuer)
    {
        builder.Services.AddSingleton(service);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            c.ProblemDetails.Instance ??= c.HttpContext.Request.Path;
            c.ProblemDetails.Extensions.TryAdd("traceId", System.Diagnostics.Activity.Current?.TraceId.ToString() ?? c.HttpContext.TraceIdentifier);
        });
        builder.Services.AddSingleton<DatabaseOutage>();
        builder.Services.AddExceptionHandler<ExceptionMapping>();
        // No AddValidation(): .NET 10's validation generator only sees the endpoints of the project that calls it
        // and names fields in PascalCase; request records are checked by each slice (see ADR 0027).
        builder.Services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip;
            o.SerializerOptions.RespectNullableAnnotations = true;
            o.SerializerOptions.MaxDepth = 32;
        });
        // Binding failures (malformed JSON, wrong types) reach ExceptionMapping, which names the field.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.WebHostDefaults(service);
        // ASP.NET Core's "Request starting/finished" lines print the whole URL, query string included, and the
        // search of a person by names and birth date is a GET: whatever a deployment's configuration raises
        // Microsoft.AspNetCore to, these lines stay off (a rule for this exact category outranks a broader one).
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Services.AddScoped<IdempotencyScope>();

        builder.AddCoordinationAuth(service, tokens);
        builder.AddCoordinationOpenApi(service);
        builder.AddCoordinationTelemetry(service);
        builder.AddCoordinationHealth(withDaemon: !builder.Configuration.GetValue<bool>(MessagingSetup.DeployTopologyOnlyKey));
        return builder;
    }

    private static void WebHostDefaults(this IHostApplicationBuilder builder, ServiceInfo service)
    {
        // The service's own port when nothing chose one (`dotnet run`, `dotnet X.Api.dll`); `./coordination`,
        // the Dockerfiles and the tests always choose (ASPNETCORE_URLS, Kestrel endpoints), and they win.
        var c = builder.Configuration;
        if (service.DefaultPort > 0 && string.IsNullOrEmpty(c["urls"]) && string.IsNullOrEmpty(c["http_ports"])
            && string.IsNullOrEmpty(c["https_ports"]) && !c.GetSection("Kestrel:Endpoints").Exists())
        {
            c["urls"] = $"http://127.0.0.1:{service.DefaultPort}";
        }
        var limit = builder.Configuration.GetValue<long?>("Http:MaxRequestBodyBytes") ?? 1_048_576;
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(o =>
        {
            o.Limits.MaxRequestBodySize = limit;
            o.AddServerHeader = false;
        });
    }

    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        app.UseExceptionHandler();
        // During a database outage, requests are answered 503 within a few seconds instead of hanging.
        app.UseOutageDeadline();
        // Empty 4xx answers (401 from the token handler, 404 of an unknown route, 405) get a Problem Details body.
        app.UseStatusCodePages();
        app.UseIdempotencyBuffering();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapCoordinationHealth();
        app.MapCoordinationOpenApi();
        return app;
    }

    /// <summary>
    /// Runs the service, or — with Messaging:DeployTopologyOnly — declares its queues, exchanges and
    /// bindings on RabbitMQ and exits without serving anything.
    /// </summary>
    public static async Task RunServiceAsync(this WebApplication app)
    {
        if (app.Configuration.GetValue<bool>(MessagingSetup.DeployTopologyOnlyKey))
        {
            var bus = app.Services.GetRequiredService<IBusControl>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await bus.StartAsync(timeout.Token);
            await bus.StopAsync(timeout.Token);
            await RetiredEndpoints.DeleteAsync(app.Configuration, app.Services.GetRequiredService<ServiceInfo>(), timeout.Token);
            return;
        }
        await app.RunAsync();
    }
}
