using MassTransit;

namespace Coordination.ServiceDefaults.Messaging;

/// <summary>The broker call of the outbox, kept behind an interface so a fault can be injected around it.</summary>
public interface IContractSender
{
    Task SendAsync(object contract, Guid messageId, CancellationToken cancellationToken);
}

public sealed class MassTransitContractSender(IBus bus) : IContractSender
{
    public Task SendAsync(object contract, Guid messageId, CancellationToken cancellationToken) =>
        // Publisher confirms are on (MassTransit's RabbitMQ default): the task completes once the broker has
        // the message, so the subscription never advances past an unconfirmed publish.
        bus.Publish(contract, contract.GetType(), context => context.MessageId = messageId, cancellationToken);
}
