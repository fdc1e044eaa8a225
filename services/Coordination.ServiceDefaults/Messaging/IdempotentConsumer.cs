using JasperFx;
using Marten;
using MassTransit;

namespace Coordination.ServiceDefaults.Messaging;

/// <summary>
/// A consumer that applies each message once in effect, whatever the broker redelivers: the message id is
/// written to an inbox document in the same transaction as the consumer's own writes. A second delivery
/// finds it and does nothing; two deliveries racing each other collide on the inbox's primary key and the
/// loser's transaction (its writes included) is rolled back.
/// </summary>
public abstract class IdempotentConsumer<T>(IDocumentSession session, TimeProvider time) : IConsumer<T> where T : class
{
    protected IDocumentSession Session { get; } = session;

    public async Task Consume(ConsumeContext<T> context)
    {
        var messageId = context.MessageId ?? throw new InvalidOperationException($"{typeof(T).Name} arrived without a MessageId.");
        if (await Session.LoadAsync<InboxEntry>(messageId, context.CancellationToken) is not null) return;

        await Handle(context.Message, context);
        Session.Insert(new InboxEntry(messageId, typeof(T).Name, time.GetUtcNow()));
        try
        {
            await Session.SaveChangesAsync(context.CancellationToken);
        }
        catch (DocumentAlreadyExistsException e) when (e.DocType == typeof(InboxEntry))
        {
            // Another delivery of the same message committed first; ours is rolled back entirely.
            return;
        }
        await AfterCommit(context);
    }

    protected abstract Task Handle(T message, ConsumeContext<T> context);

    /// <summary>Side effects outside the database (a notification), run once the consumer's writes are committed.</summary>
    protected virtual Task AfterCommit(ConsumeContext<T> context) => Task.CompletedTask;
}
