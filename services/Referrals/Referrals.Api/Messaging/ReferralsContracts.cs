using Coordination.Secrecy.Gate.Audit;
using Coordination.ServiceDefaults.Messaging;
using JasperFx.Events;

namespace Referrals.Api.Messaging;

/// <summary>What Referrals tells the other services. Events not listed here stay inside Referrals.</summary>
public sealed class ReferralsContracts : IContractMap
{
    public object? ToContract(IEvent @event) => @event.Data switch
    {
        _ => AuditContracts.ToContract(@event),
    };
}
