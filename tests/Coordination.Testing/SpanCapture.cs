using System.Collections.Concurrent;
using System.Diagnostics;

namespace Coordination.Testing;

/// <summary>
/// Every span of the process as an exporter would receive it — name, tags, events, links' tags, baggage and status —
/// from every activity source (HTTP, Marten, Npgsql, MassTransit, the outbox…), sampled in full. Start it before the
/// services start to see everything they trace.
/// </summary>
public sealed class SpanCapture : IDisposable
{
    private readonly ActivityListener _listener;

    public SpanCapture()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => Spans.Enqueue(Describe(activity)),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public ConcurrentQueue<CapturedSpan> Spans { get; } = new();

    public IReadOnlyList<CapturedSpan> Containing(string needle) =>
        Spans.Where(s => s.Text.Contains(needle, StringComparison.OrdinalIgnoreCase)).ToList();

    private static CapturedSpan Describe(Activity activity)
    {
        var parts = new List<string> { activity.DisplayName, activity.OperationName, activity.StatusDescription ?? "" };
        parts.AddRange(activity.TagObjects.Select(t => $"{t.Key}={t.Value}"));
        foreach (var e in activity.Events)
        {
            parts.Add(e.Name);
            parts.AddRange(e.Tags.Select(t => $"{t.Key}={t.Value}"));
        }
        foreach (var link in activity.Links) parts.AddRange((link.Tags ?? []).Select(t => $"{t.Key}={t.Value}"));
        parts.AddRange(activity.Baggage.Select(b => $"{b.Key}={b.Value}"));
        return new CapturedSpan(activity.Source.Name, activity.Kind, string.Join(" | ", parts));
    }

    public void Dispose() => _listener.Dispose();
}

public sealed record CapturedSpan(string Source, ActivityKind Kind, string Text);
