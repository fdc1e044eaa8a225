using Consents.Api.Companions;
using Consents.Api.Consents;
using Consents.Api.Persons;
using Consents.Api.Privacy.Erasing;
using Consents.Api.Privacy.Exporting;
using Coordination.Secrecy.Gate.Audit;
using Coordination.ServiceDefaults.Messaging;
using JasperFx.Events;
using Contracts = Consents.Contracts;

namespace Consents.Api.Messaging;

/// <summary>
/// What Consents tells the other services: ids, codes and dates. Names (beyond the display name), birth
/// dates, contact details and reasons stay here. Events not listed here stay inside Consents.
/// </summary>
public sealed class ConsentsContracts : IContractMap
{
    public object? ToContract(IEvent @event) => @event.Data switch
    {
        PersonRegistered e => new Contracts.PersonRegistered(e.PersonId, e.DisplayName, e.RegisteredByBodyId, e.RegisteredBy.Subject, @event.Timestamp),
        ActivationCodeIssued e => new Contracts.PersonActivationIssued(e.PersonId, e.CodeSha256, e.ExpiresAt, @event.Timestamp),
        ConsentGranted e => new Contracts.ConsentGranted(e.ConsentId, e.PersonId, e.BodyId, e.Categories, e.Purpose, e.ValidFrom, e.ValidUntil,
            @event.Timestamp),
        ConsentRevoked e => new Contracts.ConsentRevoked(e.ConsentId, e.PersonId, e.BodyId, Codes.Of(e.RevokedBy), @event.Timestamp),
        ConsentExpired e => new Contracts.ConsentExpired(e.ConsentId, e.PersonId, e.BodyId, @event.Timestamp),
        CompanionChosen e => new Contracts.CompanionChosen(e.CompanionId, e.PersonId, e.UserSubject, e.DisplayName, Codes.Of(e.Relationship),
            e.AttendsAppointments, e.ReceivesNotifications, e.Categories, e.ValidUntil, @event.Timestamp),
        CompanionRemoved e => new Contracts.CompanionRemoved(e.CompanionId, e.PersonId, @event.Timestamp),
        PersonErased e => new Contracts.PersonErased(e.PersonId, @event.Timestamp),
        PersonExportRequested e => new Contracts.PersonExportRequested(e.ExportId, e.PersonId, @event.Timestamp),
        _ => AuditContracts.ToContract(@event),
    };
}
