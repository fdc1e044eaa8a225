using Consents.Api.Access;
using Coordination.Secrecy;

namespace Consents.Api.Consents;

// One entry of the consent ledger: body × categories × purpose × period. Its own stream, so a revocation or
// an expiry never conflicts with another grant of the same person. Nothing is ever deleted.

public sealed record ConsentGranted(Guid ConsentId, Guid PersonId, Guid BodyId, string[] Categories, string Purpose,
    DateTimeOffset ValidFrom, DateTimeOffset ValidUntil, ConsentGiver GivenBy, ConsentCollection Collection, Actor RecordedBy);

/// <summary>The reason is free text: it stays in Consents and never travels in a contract.</summary>
public sealed record ConsentRevoked(Guid ConsentId, Guid PersonId, Guid BodyId, RevokedBy RevokedBy, string? Reason, Actor RecordedBy,
    DateTimeOffset RevokedAt);

/// <summary><see cref="ExpiredAt"/> is the grant's end (<c>until</c>), whenever the expiry job noticed it.</summary>
public sealed record ConsentExpired(Guid ConsentId, Guid PersonId, Guid BodyId, DateTimeOffset ExpiredAt);

/// <summary>The write-side state of a consent.</summary>
public sealed record Consent(Guid Id, Guid PersonId, Guid BodyId, string[] Categories, string Purpose, DateTimeOffset ValidFrom,
    DateTimeOffset ValidUntil, DateTimeOffset? RevokedAt, DateTimeOffset? ExpiredAt)
{
    public static Consent Create(ConsentGranted e) =>
        new(e.ConsentId, e.PersonId, e.BodyId, e.Categories, e.Purpose, e.ValidFrom, e.ValidUntil, null, null);

    public Consent Apply(ConsentRevoked e) => this with { RevokedAt = e.RevokedAt };

    public Consent Apply(ConsentExpired e) => this with { ExpiredAt = e.ExpiredAt };

    /// <summary>Enforcement never waits for the expiry job: a grant ends at its <c>until</c>.</summary>
    public ConsentStatus StatusAt(DateTimeOffset now) => ConsentStates.StatusAt(RevokedAt, ExpiredAt, ValidUntil, now);
}

public static class ConsentStates
{
    /// <summary>The same end as <see cref="Grant.IsActiveAt"/>: a grant is over at its <c>until</c>, event or not.</summary>
    public static ConsentStatus StatusAt(DateTimeOffset? revokedAt, DateTimeOffset? expiredAt, DateTimeOffset validUntil, DateTimeOffset now) =>
        revokedAt is not null ? ConsentStatus.Revoked
        : expiredAt is not null || now >= validUntil ? ConsentStatus.Expired
        : ConsentStatus.Active;
}

/// <summary>The period of a grant: from now, 12 months unless asked otherwise, never more than 36.</summary>
public static class ConsentPeriod
{
    public const int DefaultMonths = 12;
    public const int MaxMonths = 36;

    /// <summary>The end of a grant starting now, or the reason the requested end is refused.</summary>
    public static (DateTimeOffset Until, string? Error) Resolve(DateTimeOffset now, DateTimeOffset? requestedUntil)
    {
        if (requestedUntil is not { } requested) return (Instants.ToMicroseconds(now.AddMonths(DefaultMonths)), null);
        var until = Instants.ToMicroseconds(requested);
        if (until <= now) return (until, "Must be in the future.");
        if (until > now.AddMonths(MaxMonths)) return (until, $"At most {MaxMonths} months from now ({now.AddMonths(MaxMonths):yyyy-MM-dd}).");
        return (until, null);
    }
}
