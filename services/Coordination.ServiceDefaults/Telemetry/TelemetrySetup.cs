using Coordination.ServiceDefaults.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OpenTelemetry.Metrics;

namespace Coordination.ServiceDefaults.Telemetry;

public static class TelemetrySetup
{
    /// <summary>
    /// Traces from HTTP through Marten and the outbox to RabbitMQ and the consumer, exported over OTLP when
    /// OTEL_EXPORTER_OTLP_ENDPOINT is set. Spans carry ids only: query text and request bodies are not recorded.
    /// </summary>
    public static IHostApplicationBuilder AddCoordinationTelemetry(this IHostApplicationBuilder builder, ServiceInfo service)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("coordination-" + service.Name))
            .WithTracing(t =>
            {
                t.AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health"))
                    .AddHttpClientInstrumentation()
                    .AddNpgsql()
                    .AddSource("Marten", "MassTransit", ContractPublisher.ActivitySource.Name);
                if (otlp) t.AddOtlpExporter();
            })
            .WithMetrics(m =>
            {
                m.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddMeter("Marten", "MassTransit");
                if (otlp) m.AddOtlpExporter();
            });
        return builder;
    }
}
