using Consents.Api.Privacy.Retention;
using Coordination.Secrecy.Gate.Privacy;
using Coordination.ServiceDefaults.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;

namespace Privacy.Tests.Api;

/// <summary>
/// The retention jobs are measured and logged (issue 10): the access trail's in Referrals and Appointments records the
/// reads it dropped and its duration on the privacy meter and logs them; and that meter reaches the OTLP exporter with
/// the rest of the services' metrics (Consents' retention run included), as a deployment with an endpoint sees it.
/// </summary>
[Collection(PrivacyCollection.Name)]
public sealed class RetentionMeasuresTests(PrivacyFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task TheAccessTrailRetention_IsMeasuredAndLogged_AndThePrivacyMeterIsExported()
    {
        foreach (var host in new[] { fixture.Referrals, fixture.Appointments })
        {
            using var measures = new PrivacyMeasures(host);
            var logged = fixture.Logs.Entries.Count;
            var dropped = await host.Services.GetRequiredService<AccessTrailRetentionJob>().RunOnceAsync(CancellationToken.None);

            Assert.Equal([dropped], measures.Values(AccessTrailMetrics.ReadsDropped));
            var duration = Assert.Single(measures.Values(AccessTrailMetrics.Duration));
            Assert.True(duration > 0, $"{host.Name}: duration {duration} ms");
            var summary = Assert.Single(fixture.Logs.Entries.Skip(logged), e => e.Category == typeof(AccessTrailRetentionJob).FullName);
            Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Information, summary.Level);
            Assert.StartsWith("Dropped ", summary.Text, StringComparison.Ordinal);
            Assert.Contains($"Reads={dropped}", summary.Text, StringComparison.Ordinal);
            Assert.Contains("DurationMs=", summary.Text, StringComparison.Ordinal);
            output.WriteLine($"{host.Name}: {summary.Text}");
        }

        // Exported: every service's first run at start, and the runs above, on the meter the exporters were given.
        fixture.FlushTelemetry();
        var exported = fixture.Telemetry.Metrics.Where(m => m.Scope == TelemetrySetup.PrivacyMeter).Select(m => m.Name).ToHashSet();
        output.WriteLine("Exported on " + TelemetrySetup.PrivacyMeter + ": " + string.Join(", ", exported.Order()));
        Assert.Superset(new HashSet<string>
        {
            AccessTrailMetrics.ReadsDropped, AccessTrailMetrics.Duration,
            "coordination.privacy.persons_erased", "coordination.privacy.erasures_completed", "coordination.privacy.access_log_dropped",
            "coordination.privacy.retention_run.duration",
        }, exported);
        Assert.Equal(PrivacyMetrics.MeterName, TelemetrySetup.PrivacyMeter);
    }
}
