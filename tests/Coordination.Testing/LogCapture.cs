using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Coordination.Testing;

/// <summary>
/// Every log line a service writes, as it would reach a sink: the formatted message, its structured values, its scopes
/// and its exception. Register one provider per fixture through <see cref="CoordinationFixture"/>'s ConfigureServices
/// (<c>collection.AddSingleton&lt;ILoggerProvider&gt;(capture)</c>); the configured minimum levels still apply.
/// </summary>
public sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<CapturedLog> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    /// <summary>The lines whose text (message, values, scopes, exception) contains the needle, ignoring case.</summary>
    public IReadOnlyList<CapturedLog> Containing(string needle) =>
        Entries.Where(e => e.Text.Contains(needle, StringComparison.OrdinalIgnoreCase)).ToList();

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var parts = new List<string> { formatter(state, exception) };
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                parts.AddRange(values.Select(v => $"{v.Key}={v.Value}"));
            }
            owner._scopes.ForEachScope((scope, list) => list.Add(scope?.ToString() ?? ""), parts);
            if (exception is not null) parts.Add(exception.ToString());
            owner.Entries.Enqueue(new CapturedLog(category, logLevel, string.Join(" | ", parts)));
        }
    }
}

public sealed record CapturedLog(string Category, LogLevel Level, string Text);
