using Audit.Contracts;
using JasperFx.Events;

namespace Coordination.Secrecy.Gate.Audit;

/// <summary>
/// A read of a person's data, granted or denied, appended in the request that read it. The outbox publishes
/// it as <see cref="PersonDataAccessed"/> and it reaches the person's access log in Consents.
/// </summary>
public sealed record PersonDataRead(Guid AccessId, Guid PersonId, string ReaderSubject, string ReaderDisplayName,
    Guid? ReaderBodyId, string ReaderRole, string Service, string Route, string[] CategoriesShown, string[] CategoriesWithheld,
    string Basis, Guid? ConsentId);

public static class AuditContracts
{
    /// <summary>The audit part of a service's contract map.</summary>
    public static object? ToContract(IEvent @event) => @event.Data is PersonDataRead e
        ? new PersonDataAccessed(e.AccessId, e.PersonId, e.ReaderSubject, e.ReaderDisplayName, e.ReaderBodyId, e.ReaderRole, e.Service,
            e.Route, e.CategoriesShown, e.CategoriesWithheld, e.Basis, e.ConsentId, @event.Timestamp)
        : null;
}
