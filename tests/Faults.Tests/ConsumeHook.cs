using System.Collections.Concurrent;
using MassTransit;

namespace Faults.Tests;

/// <summary>
/// Watches every consumption of every service of the fixture (deliveries per message, redeliveries) and, once armed,
/// holds one chosen delivery after its consumer committed and before MassTransit acknowledges it: the window in which
/// scenario 4 stops the consumer's host.
/// </summary>
public sealed class ConsumeHook
{
    private readonly ConcurrentDictionary<(string Queue, Guid MessageId), int> _deliveries = new();
    private readonly ConcurrentDictionary<(string Queue, Guid MessageId), bool> _redelivered = new();
    private Armed? _armed;
    private long _consumed;

    /// <summary>Deliveries that ended (consumed or faulted), every queue together.</summary>
    public long Consumed => Interlocked.Read(ref _consumed);

    public int Deliveries(string queue, Guid messageId) => _deliveries.TryGetValue((queue, messageId), out var n) ? n : 0;

    public bool Redelivered(string queue, Guid messageId) => _redelivered.ContainsKey((queue, messageId));

    /// <summary>The next delivery on <paramref name="queue"/> whose message <paramref name="match"/> accepts is held after its commit.</summary>
    public Armed Arm(string queue, Func<object, bool> match)
    {
        var armed = new Armed(queue, match);
        if (Interlocked.CompareExchange(ref _armed, armed, null) is not null) throw new InvalidOperationException("Already armed.");
        return armed;
    }

    internal async Task OnConsumedAsync<T>(ConsumeContext<T> context, bool faulted) where T : class
    {
        var queue = QueueOf(context);
        var id = context.MessageId ?? Guid.Empty;
        _deliveries.AddOrUpdate((queue, id), 1, (_, n) => n + 1);
        if (context.ReceiveContext.Redelivered) _redelivered[(queue, id)] = true;
        Interlocked.Increment(ref _consumed);
        if (faulted || _armed is not { } armed || armed.Queue != queue || !armed.Match(context.Message)) return;
        if (Interlocked.CompareExchange(ref _armed, null, armed) != armed) return;
        armed.Written.TrySetResult(id);
        // Never returns before the test lets it: MassTransit acknowledges only after this observer completes.
        await armed.Release.Task;
        throw new OperationCanceledException("The host stopped before the acknowledgement.");
    }

    private static string QueueOf(ConsumeContext context) => context.ReceiveContext.InputAddress.AbsolutePath.Split('/').Last();

    public sealed class Armed(string queue, Func<object, bool> match)
    {
        public string Queue { get; } = queue;
        public Func<object, bool> Match { get; } = match;

        /// <summary>Completed with the message id once the consumer's writes are committed and the ack is held.</summary>
        public TaskCompletionSource<Guid> Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>The hook as one service's consume observer.</summary>
public sealed class HookObserver(ConsumeHook hook) : IConsumeObserver
{
    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class => hook.OnConsumedAsync(context, faulted: false);

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => hook.OnConsumedAsync(context, faulted: true);
}
