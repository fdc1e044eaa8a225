using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Security;
using Identity.Api.Accounts;
using Identity.Contracts;
using JasperFx.Events;

namespace Identity.Api.Messaging;

/// <summary>What Identity tells the other services: professional accounts (never person logins) and activations.</summary>
public sealed class IdentityContracts : IContractMap
{
    public object? ToContract(IEvent @event) => @event.Data switch
    {
        AccountCreated e when e.Role != Roles.Person && e.PersonId is null =>
            new UserRegistered(e.AccountId.ToString(), e.Login, e.DisplayName, @event.Timestamp),
        AccountCreated { PersonId: { } person } e => new PersonLoginActivated(person, e.AccountId.ToString(), @event.Timestamp),
        _ => null,
    };
}
