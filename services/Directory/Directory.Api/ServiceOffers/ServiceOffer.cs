using Directory.Api.Bodies;

namespace Directory.Api.ServiceOffers;

// A service a body offers (offre de service), described with the data·inclusion v1 service fields, and
// its capacity status. Each service is its own stream, so a capacity change does not touch the body's ETag.

/// <summary>data·inclusion fields: empty arrays stand for data·inclusion's null (no value given).</summary>
public sealed record ServiceFields(
    string Name,
    string Description,
    string? Type,
    string[] Thematiques,
    string[] Publics,
    string[] ModesAccueil,
    string[] ZoneEligibilite,
    string[] ModesMobilisation,
    string[] MobilisablePar,
    string? Frais,
    string? ConditionsAcces,
    string? ContactName,
    string? Email,
    string? Phone);

public enum CapacityStatus
{
    Available,
    Waitlist,
    Full,
}

public sealed record Capacity(CapacityStatus Status, string? Note, DateOnly AsOf);

public sealed record ServiceListed(Guid ServiceId, Guid BodyId, ServiceFields Fields, Capacity Capacity, string ListedBy, SourceRecord? Origin = null);

/// <summary>Carries the capacity status of the moment so that the published ServiceListed is complete.</summary>
public sealed record ServiceUpdated(Guid ServiceId, Guid BodyId, ServiceFields Fields, CapacityStatus CapacityStatus, string UpdatedBy);

public sealed record ServiceCapacityChanged(Guid ServiceId, Guid BodyId, Capacity Capacity, string ChangedBy);

public sealed record ServiceOffer(Guid Id, Guid BodyId, ServiceFields Fields, Capacity Capacity, SourceRecord? Origin)
{
    public static ServiceOffer Create(ServiceListed e) => new(e.ServiceId, e.BodyId, e.Fields, e.Capacity, e.Origin);

    public ServiceOffer Apply(ServiceUpdated e) => this with { Fields = e.Fields };

    public ServiceOffer Apply(ServiceCapacityChanged e) => this with { Capacity = e.Capacity };
}

public static class CapacityStatuses
{
    /// <summary>The contract spelling (<c>available</c>, <c>waitlist</c>, <c>full</c>).</summary>
    public static string Code(this CapacityStatus status) => status.ToString().ToLowerInvariant();
}
