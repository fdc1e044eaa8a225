using RabbitMQ.Client;

namespace Coordination.Testing;

/// <summary>
/// The operator's side of poison messages (DESIGN §5): see what lies in a consumer's <c>_error</c> queue and, once
/// the cause is fixed, move it back to the consumer's queue ("re-drive"). The message keeps its body, MessageId and
/// headers, so the consumer's idempotency applies to it as to any redelivery; MassTransit's fault headers are
/// dropped (they describe the failure, not the message).
/// </summary>
public static class ErrorQueues
{
    public const string Suffix = "_error";

    /// <summary>
    /// Messages waiting in a queue, as the broker counts them now (not the management API's sampled view); 0 for a
    /// queue that does not exist yet (MassTransit declares an <c>_error</c> queue when it first moves a message there).
    /// </summary>
    public static async Task<uint> CountAsync(Uri amqp, string queue, CancellationToken ct = default)
    {
        await using var connection = await Connect(amqp, ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        try
        {
            var ok = await channel.QueueDeclarePassiveAsync(queue, ct);
            return ok.MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }

    /// <summary>The bodies of the messages waiting in a queue, left in place (fetched, then returned unacknowledged).</summary>
    public static async Task<IReadOnlyList<string>> PeekAsync(Uri amqp, string queue, CancellationToken ct = default)
    {
        await using var connection = await Connect(amqp, ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        var bodies = new List<string>();
        while (await channel.BasicGetAsync(queue, autoAck: false, ct) is { } message)
        {
            bodies.Add(System.Text.Encoding.UTF8.GetString(message.Body.Span));
        }
        // Closing the channel without acknowledging puts every fetched message back, in order.
        return bodies;
    }

    /// <summary>
    /// Moves the messages of <c>{queue}_error</c> (those <paramref name="select"/> accepts, all by default) back to
    /// <paramref name="queue"/>. Each is published with confirms and mandatory routing before it is removed from
    /// the error queue, so a message is never lost by a re-drive (at worst, a crash in between leaves it in both —
    /// the consumer is idempotent). Returns how many were moved.
    /// </summary>
    public static async Task<int> RedriveAsync(Uri amqp, string queue, Func<string, bool>? select = null, CancellationToken ct = default)
    {
        await using var connection = await Connect(amqp, ct);
        await using var source = await connection.CreateChannelAsync(cancellationToken: ct);
        await using var target = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        var moved = 0;
        var skipped = new List<ulong>();
        while (await source.BasicGetAsync(queue + Suffix, autoAck: false, ct) is { } message)
        {
            var body = System.Text.Encoding.UTF8.GetString(message.Body.Span);
            if (select is not null && !select(body))
            {
                skipped.Add(message.DeliveryTag);
                continue;
            }
            var properties = new BasicProperties(message.BasicProperties);
            if (properties.Headers is { } headers)
            {
                properties.Headers = headers
                    .Where(h => !h.Key.StartsWith("MT-Fault-", StringComparison.Ordinal) && h.Key != "MT-Reason")
                    .ToDictionary(h => h.Key, h => h.Value);
            }
            // Default exchange, routing key = the queue: straight back to the consumer that failed, not to every subscriber.
            await target.BasicPublishAsync("", queue, mandatory: true, properties, message.Body, ct);
            await source.BasicAckAsync(message.DeliveryTag, multiple: false, ct);
            moved++;
        }
        foreach (var tag in skipped) await source.BasicNackAsync(tag, multiple: false, requeue: true, ct);
        return moved;
    }

    private static Task<IConnection> Connect(Uri amqp, CancellationToken ct) =>
        new ConnectionFactory { Uri = amqp, ClientProvidedName = "redrive" }.CreateConnectionAsync(ct);
}
