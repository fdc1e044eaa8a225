using Coordination.ServiceDefaults.Messaging;
using Directory.Api.Bodies;
using JasperFx.Events;
using Contracts = Directory.Contracts;

namespace Directory.Api.Messaging;

/// <summary>What Directory tells the other services. Events not listed here stay inside Directory.</summary>
public sealed class DirectoryContracts : IContractMap
{
    public object? ToContract(IEvent @event) => @event.Data switch
    {
        BodyRegistered e => new Contracts.BodyRegistered(e.BodyId, e.Name, e.Kind, e.Address.CommuneInsee, e.TerritoryCodes, e.Sensitive, @event.Timestamp),
        _ => null,
    };
}
