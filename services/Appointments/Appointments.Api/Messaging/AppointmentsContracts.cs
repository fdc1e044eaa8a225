using Coordination.ServiceDefaults.Messaging;
using JasperFx.Events;

namespace Appointments.Api.Messaging;

/// <summary>What Appointments tells the other services. Events not listed here stay inside Appointments.</summary>
public sealed class AppointmentsContracts : IContractMap
{
    public object? ToContract(IEvent @event) => @event.Data switch
    {
        _ => null,
    };
}
