using HdrHistogram;

namespace Coordination.Bench.Infrastructure;

/// <summary>A thread-safe latency histogram in microseconds (HdrHistogram, 3 significant digits, up to 60 s).</summary>
public sealed class Latency
{
    private readonly LongHistogram _histogram = new(60_000_000, 3);
    private readonly Lock _lock = new();

    public void Record(TimeSpan elapsed)
    {
        var micros = Math.Clamp((long)elapsed.TotalMicroseconds, 1, 60_000_000);
        lock (_lock) _histogram.RecordValue(micros);
    }

    public long Count
    {
        get { lock (_lock) return _histogram.TotalCount; }
    }

    /// <summary>The percentile in milliseconds (NaN when nothing was recorded).</summary>
    public double Ms(double percentile)
    {
        lock (_lock) return _histogram.TotalCount == 0 ? double.NaN : _histogram.GetValueAtPercentile(percentile) / 1000.0;
    }

    public double MaxMs
    {
        get { lock (_lock) return _histogram.TotalCount == 0 ? double.NaN : _histogram.GetMaxValue() / 1000.0; }
    }
}
