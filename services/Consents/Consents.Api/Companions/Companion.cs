using Consents.Api.Access;

namespace Consents.Api.Companions;

// A companion (accompagnant) the person chose: a platform user (peer worker, volunteer) or a named person
// with contact details. Its own stream. Contact details stay in Consents; the contract carries none.

public sealed record CompanionChosen(Guid CompanionId, Guid PersonId, string? UserSubject, string DisplayName, Relationship Relationship,
    bool AttendsAppointments, bool ReceivesNotifications, string[] Categories, DateTimeOffset? ValidUntil, string? Phone, string? Email,
    Actor ChosenBy, DateTimeOffset ChosenAt);

public sealed record CompanionRemoved(Guid CompanionId, Guid PersonId, Actor RemovedBy, DateTimeOffset RemovedAt);

/// <summary>The write-side state of a companion.</summary>
public sealed record Companion(Guid Id, Guid PersonId, DateTimeOffset? ValidUntil, DateTimeOffset? RemovedAt)
{
    public static Companion Create(CompanionChosen e) => new(e.CompanionId, e.PersonId, e.ValidUntil, null);

    public Companion Apply(CompanionRemoved e) => this with { RemovedAt = e.RemovedAt };
}

public static class CompanionStates
{
    public static CompanionStatus StatusAt(DateTimeOffset? removedAt, DateTimeOffset? validUntil, DateTimeOffset now) =>
        removedAt is not null ? CompanionStatus.Removed
        : validUntil is { } until && now >= until ? CompanionStatus.Ended
        : CompanionStatus.Active;
}
