using System.Collections.Concurrent;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Coordination.Faults;

/// <summary>
/// Counts every publication of every contract: a durable queue of the suite's own, bound to each contract exchange
/// (<c>Referrals.Contracts:ReferralSent</c>, …), sees one copy of each message the outboxes publish. The suite reads
/// from it how many times each event (MessageId = the Marten event id) was published.
/// </summary>
public sealed class PublicationObserver(Uri amqp) : IAsyncDisposable
{
    public const string Queue = "faults-observer";
    private readonly ConcurrentDictionary<Guid, Observation> _seen = new();
    private IConnection? _connection;
    private IChannel? _channel;
    private long _redeliveries;

    private sealed class Observation
    {
        public int Count;
        public string Exchange = "";
        public readonly List<DateTimeOffset> At = [];
    }

    /// <summary>Deliveries the observer itself got again after its own connection dropped (not publications).</summary>
    public long ObserverRedeliveries => Interlocked.Read(ref _redeliveries);

    public async Task StartAsync(IEnumerable<string> contractExchanges)
    {
        _connection = await new ConnectionFactory
        {
            Uri = amqp, ClientProvidedName = "faults-observer", AutomaticRecoveryEnabled = true, TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
        }.CreateConnectionAsync();
        _channel = await _connection.CreateChannelAsync();
        await _channel.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false);
        foreach (var exchange in contractExchanges) await _channel.QueueBindAsync(Queue, exchange, "");
        await _channel.BasicQosAsync(0, 500, false);
        var consumer = new AsyncEventingBasicConsumer(_channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            // A message the broker gives the observer again (after the observer's own connection dropped) was
            // counted when first delivered: counting it again would invent a publication.
            if (delivery.Redelivered) Interlocked.Increment(ref _redeliveries);
            else if (Guid.TryParse(delivery.BasicProperties.MessageId, out var id))
            {
                var o = _seen.GetOrAdd(id, _ => new Observation());
                lock (o)
                {
                    o.Count++;
                    o.Exchange = delivery.Exchange;
                    o.At.Add(DateTimeOffset.UtcNow);
                }
            }
            await _channel.BasicAckAsync(delivery.DeliveryTag, false);
        };
        await _channel.BasicConsumeAsync(Queue, autoAck: false, consumer);
    }

    /// <summary>How many times the event was published (0 if never).</summary>
    public int Publications(Guid eventId) => _seen.TryGetValue(eventId, out var o) ? o.Count : 0;

    /// <summary>Publications of the event at or after a moment.</summary>
    public int PublicationsSince(Guid eventId, DateTimeOffset since)
    {
        if (!_seen.TryGetValue(eventId, out var o)) return 0;
        lock (o) return o.At.Count(t => t >= since);
    }

    /// <summary>Every event id published on one of the exchanges whose name starts with the prefix, before a moment.</summary>
    public IReadOnlyList<Guid> PublishedBefore(string exchangePrefix, DateTimeOffset before) =>
        _seen.Where(kv => kv.Value.Exchange.StartsWith(exchangePrefix, StringComparison.Ordinal) && kv.Value.At.Count > 0 && kv.Value.At[0] < before)
            .Select(kv => kv.Key).ToList();

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null) await _channel.DisposeAsync();
        if (_connection is not null) await _connection.DisposeAsync();
    }
}

/// <summary>
/// Delivers every message twice: a queue of the suite's own is bound to each consumer queue's exchange (MassTransit
/// binds exchange <c>q</c> to queue <c>q</c>), so it receives a copy of everything routed to <c>q</c>; each copy is
/// published again straight to <c>q</c> (default exchange) with the same body, MessageId and headers. The copies
/// are kept, so the suite can deliver them once more, late, after taking a snapshot of the read models.
/// </summary>
public sealed class Duplicator(Uri amqp) : IAsyncDisposable
{
    private readonly ConcurrentQueue<(string Queue, BasicProperties Properties, byte[] Body)> _captured = new();
    private readonly List<string> _taps = [];
    private IConnection? _connection;
    private IChannel? _consume;
    private IChannel? _publish;
    private long _duplicated;

    public long Duplicated => Interlocked.Read(ref _duplicated);

    public int Captured => _captured.Count;

    public async Task StartAsync(IEnumerable<string> consumerQueues)
    {
        _connection = await new ConnectionFactory { Uri = amqp, ClientProvidedName = "faults-duplicator" }.CreateConnectionAsync();
        _consume = await _connection.CreateChannelAsync();
        _publish = await _connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await _consume.BasicQosAsync(0, 200, false);
        foreach (var queue in consumerQueues)
        {
            var tap = "faults-dup." + queue;
            await _consume.QueueDeclareAsync(tap, durable: true, exclusive: false, autoDelete: false);
            await _consume.QueueBindAsync(tap, queue, "");
            _taps.Add(tap);
            var consumer = new AsyncEventingBasicConsumer(_consume);
            var target = queue;
            consumer.ReceivedAsync += async (_, delivery) =>
            {
                var properties = new BasicProperties(delivery.BasicProperties);
                var body = delivery.Body.ToArray();
                await _publish.BasicPublishAsync("", target, mandatory: true, properties, body);
                _captured.Enqueue((target, properties, body));
                Interlocked.Increment(ref _duplicated);
                await _consume.BasicAckAsync(delivery.DeliveryTag, false);
            };
            await _consume.BasicConsumeAsync(tap, autoAck: false, consumer);
        }
    }

    /// <summary>Stops duplicating and removes the taps.</summary>
    public async Task StopAsync()
    {
        if (_consume is null) return;
        foreach (var tap in _taps) await _consume.QueueDeleteAsync(tap);
        _taps.Clear();
    }

    /// <summary>Delivers every captured message once more (a third, late delivery); returns how many.</summary>
    public async Task<int> ReplayAllAsync()
    {
        var count = 0;
        foreach (var (queue, properties, body) in _captured)
        {
            await _publish!.BasicPublishAsync("", queue, mandatory: true, properties, body);
            count++;
        }
        return count;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_consume is not null) await _consume.DisposeAsync();
        if (_publish is not null) await _publish.DisposeAsync();
        if (_connection is not null) await _connection.DisposeAsync();
    }
}
