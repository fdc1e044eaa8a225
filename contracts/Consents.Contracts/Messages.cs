namespace Consents.Contracts;

// Published by Consents. Never rename or move: MassTransit names a message by namespace + type.

public record PersonRegistered(Guid PersonId, string DisplayName, Guid RegisteredByBodyId, string RegisteredBySubject, DateTimeOffset OccurredAt);

public record PersonActivationIssued(Guid PersonId, string CodeSha256, DateTimeOffset ExpiresAt, DateTimeOffset OccurredAt);

public record ConsentGranted(Guid ConsentId, Guid PersonId, Guid BodyId, string[] Categories, string Purpose, DateTimeOffset ValidFrom, DateTimeOffset ValidUntil, DateTimeOffset OccurredAt);

/// <param name="RevokedBy"><c>person</c>, <c>professional_on_request</c> or <c>legal_representative</c>.</param>
public record ConsentRevoked(Guid ConsentId, Guid PersonId, Guid BodyId, string RevokedBy, DateTimeOffset OccurredAt);

public record ConsentExpired(Guid ConsentId, Guid PersonId, Guid BodyId, DateTimeOffset OccurredAt);

public record CompanionChosen(Guid CompanionId, Guid PersonId, string? UserSubject, string DisplayName, string Relationship, bool AttendsAppointments, bool ReceivesNotifications, string[] Categories, DateTimeOffset? ValidUntil, DateTimeOffset OccurredAt);

public record CompanionRemoved(Guid CompanionId, Guid PersonId, DateTimeOffset OccurredAt);

public record PersonErased(Guid PersonId, DateTimeOffset OccurredAt);

public record PersonExportRequested(Guid ExportId, Guid PersonId, DateTimeOffset OccurredAt);
