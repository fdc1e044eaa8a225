using Coordination.ServiceDefaults.Messaging;
using Directory.Api.Bodies;
using Directory.Api.Members;
using Directory.Api.Places;
using Directory.Api.ServiceOffers;
using JasperFx.Events;
using Contracts = Directory.Contracts;

namespace Directory.Api.Messaging;

/// <summary>
/// What Directory tells the other services. Events not listed here (the end of a partner contact
/// designation) stay inside Directory. A service update is published as ServiceListed again, with the
/// current values: consumers keep one copy per ServiceId, and no ServiceUpdated contract exists.
/// </summary>
public sealed class DirectoryContracts : IContractMap
{
    public object? ToContract(IEvent @event) => @event.Data switch
    {
        BodyRegistered e => new Contracts.BodyRegistered(e.BodyId, e.Name, e.Kind, e.Address.CommuneInsee, e.TerritoryCodes, e.Sensitive, @event.Timestamp),
        BodyUpdated e => new Contracts.BodyUpdated(e.BodyId, e.Profile.Name, e.Profile.Kind, e.Profile.Address.CommuneInsee,
            e.Profile.TerritoryCodes, e.Profile.Sensitive, @event.Timestamp),
        PlaceAdded e => new Contracts.PlaceAdded(e.PlaceId, e.BodyId, e.Name, e.Address.Line, e.Address.PostalCode, e.Address.Commune,
            e.Address.CommuneInsee, e.Permanence is { } p ? new Contracts.Permanence(p.From, p.To, p.Days, p.Opens, p.Closes) : null, @event.Timestamp),
        ServiceListed e => new Contracts.ServiceListed(e.ServiceId, e.BodyId, e.Fields.Name, e.Fields.Thematiques, e.Capacity.Status.Code(), @event.Timestamp),
        ServiceUpdated e => new Contracts.ServiceListed(e.ServiceId, e.BodyId, e.Fields.Name, e.Fields.Thematiques, e.CapacityStatus.Code(), @event.Timestamp),
        ServiceCapacityChanged e => new Contracts.ServiceCapacityChanged(e.ServiceId, e.BodyId, e.Capacity.Status.Code(), @event.Timestamp),
        MemberJoined e => new Contracts.MemberJoined(e.MemberId, e.BodyId, e.Email, e.DisplayName, e.Role, e.From, @event.Timestamp),
        MemberLeft e => new Contracts.MemberLeft(e.MemberId, e.BodyId, e.Email, e.On, @event.Timestamp),
        PartnerContactDesignated e => new Contracts.PartnerContactDesignated(e.BodyId, e.MemberId, @event.Timestamp),
        _ => null,
    };
}
