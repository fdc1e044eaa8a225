namespace Coordination.Secrecy;

/// <summary>A consent: body × categories × purpose × period, possibly revoked.</summary>
public sealed record Grant(Guid ConsentId, Guid BodyId, IReadOnlySet<string> Categories, string Purpose,
    DateTimeOffset ValidFrom, DateTimeOffset ValidUntil, DateTimeOffset? RevokedAt = null)
{
    public bool IsActiveAt(DateTimeOffset now) => RevokedAt is null && ValidFrom <= now && now < ValidUntil;

    /// <summary>Whether this grant opens the category: follow-up opens what it lists, booking only what a booking holds.</summary>
    public bool Opens(string category) => Purpose switch
    {
        Purposes.FollowUpCoordination => Categories.Contains(category),
        Purposes.AppointmentBooking => Categories.Contains(category) && Secrecy.Categories.OfABooking.Contains(category),
        _ => false,
    };
}

/// <summary>A companion the person chose, and what the person let them see.</summary>
public sealed record CompanionGrant(Guid CompanionId, string? UserSubject, IReadOnlySet<string> Categories,
    DateTimeOffset? ValidUntil = null, DateTimeOffset? RemovedAt = null)
{
    public bool IsActiveAt(DateTimeOffset now) => RemovedAt is null && (ValidUntil is null || now < ValidUntil);
}

public enum InvolvementKind
{
    Registered,
    ReferralSender,
    ReferralReceiver,
    AppointmentHost,
    AppointmentBooker,
    ContactPerson,
}

/// <summary>
/// Why a body is involved with a person. Only registration, referrals, bookings and contact persons make a
/// body involved. <see cref="ItemOnly"/>: a body that declined a referral, or to which it expired, stays
/// involved for that referral only. <see cref="Active"/> is false for a contact person who was ended.
/// </summary>
public sealed record Involvement(Guid BodyId, InvolvementKind Kind, Guid? ItemId = null, bool ItemOnly = false, bool Active = true);

/// <summary>Everything the decision needs about one person, read from the service's local copies.</summary>
public sealed record PersonFacts(Guid PersonId, IReadOnlyList<Grant> Grants, IReadOnlyList<CompanionGrant> Companions,
    IReadOnlyList<Involvement> Involvements, IReadOnlySet<Guid> SensitiveBodies)
{
    public static PersonFacts None(Guid personId) => new(personId, [], [], [], new HashSet<Guid>());
}

/// <summary>Who reads, as their token says.</summary>
public sealed record Reader(string Subject, string Role, Guid? BodyId, Guid? PersonId)
{
    public const string PersonRole = "person";
    public const string AdminRole = "admin";
    public const string PartnerSystemRole = "partner_system";
}

/// <summary>
/// A piece of data tied to bodies: a referral (from → to) or an appointment (at → booked by). Null for data
/// of the person as a whole (identity, contact persons, companions…).
/// </summary>
public sealed record Item(Guid Id, IReadOnlySet<Guid> ConcernedBodies, Guid? TargetBodyId)
{
    public static Item Referral(Guid id, Guid fromBody, Guid toBody) => new(id, new HashSet<Guid> { fromBody, toBody }, toBody);

    public static Item Appointment(Guid id, Guid atBody, Guid? bookedByBody) =>
        new(id, bookedByBody is { } b ? new HashSet<Guid> { atBody, b } : new HashSet<Guid> { atBody }, atBody);
}

public sealed record Decision(bool Allowed, string Basis, Guid? ConsentId = null)
{
    public static readonly Decision Denied = new(false, Bases.Denied);
}
