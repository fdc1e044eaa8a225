using Coordination.ServiceDefaults.Messaging;
using JasperFx.Events;

namespace Consents.Api.Messaging;

/// <summary>What Consents tells the other services. Events not listed here stay inside Consents.</summary>
public sealed class ConsentsContracts : IContractMap
{
    public object? ToContract(IEvent @event) => @event.Data switch
    {
        _ => null,
    };
}
