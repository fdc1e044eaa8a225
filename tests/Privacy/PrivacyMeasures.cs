using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Coordination.ServiceDefaults.Telemetry;
using Coordination.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Privacy.Tests;

/// <summary>
/// What one service records on the privacy meter while this listener lives, in-process: every measurement of every
/// instrument of its <c>Coordination.Privacy</c> meter — the meter its own meter factory made, so that the other
/// services of the same process (which have one of the same name) are not mixed in.
/// </summary>
public sealed class PrivacyMeasures : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value)> _measurements = new();

    public PrivacyMeasures(IServiceHost host)
    {
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == TelemetrySetup.PrivacyMeter && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => _measurements.Enqueue((instrument.Name, value)));
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => _measurements.Enqueue((instrument.Name, value)));
        _listener.Start();
    }

    /// <summary>The values recorded on an instrument, in order.</summary>
    public IReadOnlyList<double> Values(string instrument) => _measurements.Where(m => m.Instrument == instrument).Select(m => m.Value).ToList();

    public void Dispose() => _listener.Dispose();
}
