namespace Directory.Contracts;

// Published by Directory. MassTransit names a message by namespace + type: never rename or move these.
// Changes are additive only; a breaking change is a new record (…V2) published beside the old one.

public record BodyRegistered(Guid BodyId, string Name, string Kind, string? CommuneInsee, string[] TerritoryCodes, bool Sensitive, DateTimeOffset OccurredAt);

public record BodyUpdated(Guid BodyId, string Name, string Kind, string? CommuneInsee, string[] TerritoryCodes, bool Sensitive, DateTimeOffset OccurredAt);

public record Permanence(DateOnly From, DateOnly To, DayOfWeek[] Days, TimeOnly Opens, TimeOnly Closes);

public record PlaceAdded(Guid PlaceId, Guid BodyId, string Name, string? AddressLine, string? PostalCode, string? Commune, string? CommuneInsee, Permanence? Permanence, DateTimeOffset OccurredAt);

public record ServiceListed(Guid ServiceId, Guid BodyId, string Name, string[] Thematiques, string CapacityStatus, DateTimeOffset OccurredAt);

public record ServiceCapacityChanged(Guid ServiceId, Guid BodyId, string CapacityStatus, DateTimeOffset OccurredAt);

public record MemberJoined(Guid MemberId, Guid BodyId, string Email, string DisplayName, string Role, DateOnly From, DateTimeOffset OccurredAt);

public record MemberLeft(Guid MemberId, Guid BodyId, string Email, DateOnly On, DateTimeOffset OccurredAt);

public record PartnerContactDesignated(Guid BodyId, Guid MemberId, DateTimeOffset OccurredAt);
