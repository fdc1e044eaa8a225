using Coordination.ServiceDefaults.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OpenTelemetry.Metrics;

namespace Coordination.ServiceDefaults.Telemetry;

public static class TelemetrySetup
{
    /// <summary>The privacy jobs' meter: Consents' retention run, the other services' access-trail retention (counts and durations, never who).</summary>
    public const string PrivacyMeter = "Coordination.Privacy";

    /// <summary>
    /// Traces from HTTP through Marten and the outbox to RabbitMQ and the consumer, metrics (the privacy jobs' among
    /// them) and the services' log records, exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set. Spans carry
    /// ids, routes and SQL with its parameters as placeholders; query strings are exported with their values redacted
    /// (the instrumentations' default), request and message bodies not at all. Log records carry the formatted message,
    /// its values and scopes, as the services write them (never personal data: tests/Privacy scans them).
    /// Without an exporter nothing is registered: the SDK would otherwise sample every span of every request (HTTP,
    /// each Npgsql command, Marten, MassTransit) only to drop it — work for nobody (ADR 0081). Tools that listen
    /// for themselves (dotnet-counters, dotnet-trace, the tests' span capture) still see every source. With an
    /// exporter, the standard OTEL_TRACES_SAMPLER variables choose how much is sampled.
    /// </summary>
    public static IHostApplicationBuilder AddCoordinationTelemetry(this IHostApplicationBuilder builder, ServiceInfo service)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])) return builder;
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("coordination-" + service.Name))
            .WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddSource("Marten", "MassTransit", ContractPublisher.ActivitySource.Name)
                .AddOtlpExporter())
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddMeter("Marten", "MassTransit", PrivacyMeter)
                .AddOtlpExporter())
            .WithLogging(l => l.AddOtlpExporter(), o =>
            {
                o.IncludeFormattedMessage = true;
                o.IncludeScopes = true;
            });
        return builder;
    }
}
