using System.Diagnostics.Metrics;
using Coordination.ServiceDefaults.Telemetry;

namespace Consents.Api.Privacy.Retention;

/// <summary>
/// The retention job's measures (meter <c>Coordination.Privacy</c>, exported with the others when an OTLP endpoint is
/// set): counts and durations, never who.
/// </summary>
public sealed class PrivacyMetrics
{
    public const string MeterName = TelemetrySetup.PrivacyMeter;

    private readonly Counter<long> _erased;
    private readonly Counter<long> _completed;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _reads;
    private readonly Histogram<double> _duration;

    public PrivacyMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _erased = meter.CreateCounter<long>("coordination.privacy.persons_erased", description: "Persons erased by the retention limit");
        _completed = meter.CreateCounter<long>("coordination.privacy.erasures_completed", description: "Erasures completed after an interruption");
        _dropped = meter.CreateCounter<long>("coordination.privacy.access_log_dropped", description: "Access-log entries dropped by the retention limit");
        _reads = meter.CreateCounter<long>("coordination.privacy.reads_dropped", description: "Recorded reads dropped by the retention limit");
        _duration = meter.CreateHistogram<double>("coordination.privacy.retention_run.duration", "ms", "Duration of a retention run");
    }

    public void Record(RetentionRun run)
    {
        _erased.Add(run.PersonsErased);
        _completed.Add(run.ErasuresCompleted);
        _dropped.Add(run.AccessLogEntriesDropped);
        _reads.Add(run.ReadsDropped);
        _duration.Record(run.Duration.TotalMilliseconds);
    }
}
