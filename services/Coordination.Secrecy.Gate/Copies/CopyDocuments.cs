using Coordination.Secrecy;

namespace Coordination.Secrecy.Gate.Copies;

// Local copies kept by each service that serves person data, so that DESIGN §4 is decided locally, never by
// calling another service on a user's request path. Each copy merges what its messages say in a way that
// does not depend on their order (a revocation is never undone by a late grant message), and uses
// optimistic concurrency so two consumers never lose each other's update.

/// <summary>A consent, as Consents published it.</summary>
public sealed record GrantCopy(Guid Id, Guid PersonId, Guid BodyId, string[] Categories, string Purpose,
    DateTimeOffset ValidFrom, DateTimeOffset ValidUntil, DateTimeOffset? RevokedAt, DateTimeOffset? ExpiredAt, bool Known)
{
    public Grant ToGrant() => new(Id, BodyId, Categories.ToHashSet(StringComparer.Ordinal), Purpose, ValidFrom,
        // An expiry event ends the grant even if the clocks of the two services disagree slightly.
        ExpiredAt is { } expired && expired < ValidUntil ? expired : ValidUntil, RevokedAt);
}

/// <summary>A companion the person chose, as Consents published it.</summary>
public sealed record CompanionCopy(Guid Id, Guid PersonId, string? UserSubject, string DisplayName, string Relationship,
    bool AttendsAppointments, bool ReceivesNotifications, string[] Categories, DateTimeOffset? ValidUntil,
    DateTimeOffset? RemovedAt, bool Known)
{
    public CompanionGrant ToCompanionGrant() =>
        new(Id, UserSubject, Categories.ToHashSet(StringComparer.Ordinal), ValidUntil, RemovedAt);
}

/// <summary>
/// One reason for a body to be involved with a person. Keyed by person, body, kind and item so that the same
/// fact arriving twice is one record.
/// </summary>
public sealed record InvolvementRecord(string Id, Guid PersonId, Guid BodyId, InvolvementKind Kind, Guid? ItemId,
    bool ItemOnly, bool Active, DateTimeOffset AsOf)
{
    public static string KeyOf(Guid personId, Guid bodyId, InvolvementKind kind, Guid? itemId) =>
        $"{personId:N}:{bodyId:N}:{kind}:{itemId?.ToString("N") ?? "-"}";

    public Involvement ToInvolvement() => new(BodyId, Kind, ItemId, ItemOnly, Active);
}

/// <summary>A Directory body, as far as views and the sensitive rule need it.</summary>
public sealed record BodyCopy(Guid Id, string Name, string Kind, string? CommuneInsee, string[] TerritoryCodes,
    bool Sensitive, DateTimeOffset AsOf);
