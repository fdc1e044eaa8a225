using System.Diagnostics;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Coordination.ServiceDefaults.Messaging;

/// <summary>
/// The outbox: a Marten subscription that maps committed events to contracts and publishes them.
/// Marten moves the subscription's progress only after this method returns, and it returns only after
/// the broker confirmed every message of the page; while the broker is unreachable it keeps retrying the
/// same page (never skipping, never dead-lettering). Delivery is therefore at-least-once and consumers are
/// idempotent on MessageId, which is the Marten event id.
/// </summary>
public sealed class ContractPublisher : SubscriptionBase
{
    public const string SubscriptionName = "contract-publisher";
    public static readonly ActivitySource ActivitySource = new("Coordination.Outbox");

    private readonly IContractMap _map;
    private readonly IContractSender _sender;
    private readonly ILogger<ContractPublisher> _logger;
    private readonly ResiliencePipeline _retry;

    /// <summary>
    /// Rewinds the publisher to <paramref name="floor"/> so that history is published again: the back-fill for a new
    /// consumer (ADR 0002). Marten's rewind starts the publisher's agent itself, without high-water detection; when the
    /// HotCold coordinator has not yet started the daemon (just after start-up, or paused), the coordinator later
    /// finds the agent present and starts nothing, and in a service with no other agent nothing ever detects a high
    /// water mark: the publisher runs and publishes nothing. Starting the agent by name afterwards primes detection
    /// and leaves the running agent as it is.
    /// </summary>
    public static async Task RewindAsync(IProjectionDaemon daemon, long floor, CancellationToken cancellationToken)
    {
        await daemon.RewindSubscriptionAsync(SubscriptionName, cancellationToken, sequenceFloor: floor);
        await daemon.StartAgentAsync(SubscriptionName, cancellationToken);
    }

    public ContractPublisher(IContractMap map, IContractSender sender, ILogger<ContractPublisher> logger, TimeProvider time)
    {
        _map = map;
        _sender = sender;
        _logger = logger;
        Name = SubscriptionName;
        _retry = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                // Polly's timeout surfaces as TimeoutRejectedException (retried); shutdown as OperationCanceledException (not).
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(100),
                MaxDelay = TimeSpan.FromSeconds(5),
                OnRetry = args =>
                {
                    _logger.LogWarning(args.Outcome.Exception, "Publishing to the broker failed (attempt {Attempt}); the subscription holds its position and retries", args.AttemptNumber + 1);
                    return ValueTask.CompletedTask;
                },
            })
            // A publish to a broker that went away can wait on the connection for a long time: bound each try.
            .AddTimeout(TimeSpan.FromSeconds(10))
            .Build();
    }

    public override async Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller,
        IDocumentOperations operations, CancellationToken cancellationToken)
    {
        var outgoing = new List<(IEvent Event, object Contract)>(page.Events.Count);
        foreach (var e in page.Events)
        {
            if (_map.ToContract(e) is { } contract) outgoing.Add((e, contract));
        }
        if (outgoing.Count == 0) return NullChangeListener.Instance;

        // Publishes run concurrently (confirms are per message); order is not a promise of the broker anyway,
        // so consumers never rely on it.
        await Parallel.ForEachAsync(outgoing,
            new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken },
            async (item, ct) =>
            {
                using var activity = StartActivity(item.Event, item.Contract);
                await _retry.ExecuteAsync(
                    static async (state, token) => await state.Sender.SendAsync(state.Contract, state.Id, token),
                    (Sender: _sender, item.Contract, Id: item.Event.Id), ct);
            });
        return NullChangeListener.Instance;
    }

    private static Activity? StartActivity(IEvent e, object contract)
    {
        ActivityContext parent = default;
        if (e.Headers is { } headers && headers.TryGetValue(TraceHeaders.TraceParent, out var tp) && tp is not null)
        {
            ActivityContext.TryParse(tp.ToString(), null, out parent);
        }
        var activity = ActivitySource.StartActivity("outbox publish " + contract.GetType().Name, ActivityKind.Producer, parent);
        activity?.SetTag("messaging.message.id", e.Id);
        activity?.SetTag("coordination.event.sequence", e.Sequence);
        return activity;
    }
}
