namespace Identity.Contracts;

// Published by Identity. Never rename or move: MassTransit names a message by namespace + type.

/// <summary>Every professional account (invited, attached on MemberJoined, or seeded); never person logins.</summary>
public record UserRegistered(string Subject, string Email, string DisplayName, DateTimeOffset OccurredAt);

public record PersonLoginActivated(Guid PersonId, string Subject, DateTimeOffset OccurredAt);
