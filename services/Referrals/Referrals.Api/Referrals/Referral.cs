namespace Referrals.Api.Referrals;

// A referral (orientation) of a person from one body to another: its stream holds these events. The
// reason and the notes are orientation_details; everything else is orientation (DESIGN §4). Every
// transition names who made it (subject, display name and body, as their token said) and when.

/// <summary>A professional acting for their body, as their token said at the time.</summary>
public sealed record Actor(string Subject, string Name, Guid BodyId);

public sealed record ReferralSent(Guid ReferralId, Guid PersonId, Guid FromBodyId, Guid ToBodyId, Guid? ServiceId, string Need,
    TargetRight? TargetRight, string? Reason, Urgency Urgency, DateOnly DueBy, Guid? PreviousReferralId, Actor By, DateTimeOffset At);

public sealed record ReferralReviewStarted(Guid ReferralId, Guid PersonId, Guid ToBodyId, Actor By, DateTimeOffset At);

public sealed record ReferralAccepted(Guid ReferralId, Guid PersonId, Guid ToBodyId, string? Note, Actor By, DateTimeOffset At);

public sealed record ReferralDeclined(Guid ReferralId, Guid PersonId, Guid ToBodyId, DeclineReason Reason, string? Note, Actor By,
    DateTimeOffset At);

public sealed record ReferralRedirected(Guid ReferralId, Guid PersonId, Guid RedirectingBodyId, Guid NewReferralId, Guid NewToBodyId,
    RedirectReason Reason, string? Note, Actor By, DateTimeOffset At);

public sealed record ReferralClosed(Guid ReferralId, Guid PersonId, Guid ToBodyId, ClosingOutcome Outcome, TargetRight? TargetRight,
    string? Note, Actor By, DateTimeOffset At);

public sealed record ReferralWithdrawn(Guid ReferralId, Guid PersonId, Guid FromBodyId, WithdrawReason Reason, string? Note, Actor By,
    DateTimeOffset At);

/// <summary>The due date passed while the referral was still sent or in review; <see cref="At"/> is when it ran out.</summary>
public sealed record ReferralExpired(Guid ReferralId, Guid PersonId, Guid ToBodyId, DateOnly DueBy, DateTimeOffset At);

/// <summary>An appointment booked for this referral was attended: the loop is closed (from Appointments' contract).</summary>
public sealed record ReferralAppointmentAttended(Guid ReferralId, Guid AppointmentId, Guid BodyId, DateTimeOffset At);

public sealed record ReferralAppointmentMissed(Guid ReferralId, Guid AppointmentId, Guid BodyId, bool Excused, DateTimeOffset At);

/// <summary>The write-side state of a referral: only what its decisions need.</summary>
public sealed record Referral(Guid Id, Guid PersonId, Guid FromBodyId, Guid ToBodyId, ReferralStatus Status, string Need,
    TargetRight? TargetRight, string? Reason, Urgency Urgency, DateOnly DueBy, Guid? ServiceId)
{
    public static Referral Create(ReferralSent e) =>
        new(e.ReferralId, e.PersonId, e.FromBodyId, e.ToBodyId, ReferralStatus.Sent, e.Need, e.TargetRight, e.Reason, e.Urgency, e.DueBy, e.ServiceId);

    public Referral Apply(ReferralReviewStarted _) => this with { Status = ReferralStatus.InReview };

    public Referral Apply(ReferralAccepted _) => this with { Status = ReferralStatus.Accepted };

    public Referral Apply(ReferralDeclined _) => this with { Status = ReferralStatus.Declined };

    public Referral Apply(ReferralRedirected _) => this with { Status = ReferralStatus.Redirected };

    public Referral Apply(ReferralClosed _) => this with { Status = ReferralStatus.Closed };

    public Referral Apply(ReferralWithdrawn _) => this with { Status = ReferralStatus.Withdrawn };

    public Referral Apply(ReferralExpired _) => this with { Status = ReferralStatus.Expired };

    public Referral Apply(ReferralAppointmentAttended _) => this;

    public Referral Apply(ReferralAppointmentMissed _) => this;
}

/// <summary>When a referral still open runs out: at the end of its due day, in France.</summary>
public static class Deadline
{
    public static DateTimeOffset ExpiresAt(DateOnly dueBy) => Clock.StartOf(dueBy.AddDays(1));
}
