using JasperFx.Events;

namespace Coordination.ServiceDefaults.Messaging;

/// <summary>
/// Maps a service's internal events to the contracts it publishes. Internal events that are private to
/// the service map to null and are never published.
/// </summary>
public interface IContractMap
{
    object? ToContract(IEvent @event);
}
