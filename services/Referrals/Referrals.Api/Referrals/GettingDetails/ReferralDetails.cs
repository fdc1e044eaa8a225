using JasperFx.Events;
using Marten.Events.Aggregation;

namespace Referrals.Api.Referrals.GettingDetails;

public enum ReferralStepKind
{
    Sent, ReviewStarted, Accepted, Declined, Redirected, Closed, Withdrawn, Expired, AppointmentAttended, AppointmentMissed,
}

/// <summary>
/// One dated step of a referral's history. <see cref="Code"/> is the reason code or outcome (orientation);
/// <see cref="Note"/> is free text (orientation_details). <see cref="RelatedId"/> is the new referral of a
/// redirect or the appointment of an attendance.
/// </summary>
public sealed record ReferralStep(ReferralStepKind Kind, DateTimeOffset At, Actor? By, string? Code = null, string? Note = null,
    Guid? RelatedId = null, Guid? RelatedBodyId = null);

/// <summary>A referral as it is read: everything its stream says, with the dated, attributed history.</summary>
public sealed record ReferralDetails(Guid Id, Guid PersonId, Guid FromBodyId, Guid ToBodyId, Guid? ServiceId, string Need,
    TargetRight? TargetRight, string? Reason, Urgency Urgency, DateOnly DueBy, DateTimeOffset ExpiresAt, ReferralStatus Status,
    bool Open, ClosingOutcome? Outcome, TargetRight? ClosedTargetRight, Actor SentBy, DateTimeOffset SentAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? ClosedAt, Guid? PreviousReferralId, Guid? NextReferralId, Guid? NextToBodyId, IReadOnlyList<ReferralStep> History)
{
    public long Version { get; init; }

    public ReferralDetails Moved(ReferralStatus status, ReferralStep step) =>
        this with { Status = status, Open = status.IsOpen(), UpdatedAt = step.At, History = [.. History, step] };
}

public sealed class ReferralDetailsProjection : SingleStreamProjection<ReferralDetails, Guid>
{
    public static ReferralDetails Create(ReferralSent e) =>
        new(e.ReferralId, e.PersonId, e.FromBodyId, e.ToBodyId, e.ServiceId, e.Need, e.TargetRight, e.Reason, e.Urgency, e.DueBy,
            Deadline.ExpiresAt(e.DueBy), ReferralStatus.Sent, true, null, null, e.By, e.At, e.At, null, e.PreviousReferralId, null, null,
            [new ReferralStep(ReferralStepKind.Sent, e.At, e.By, RelatedId: e.PreviousReferralId)]);

    public static ReferralDetails Apply(ReferralReviewStarted e, ReferralDetails r) =>
        r.Moved(ReferralStatus.InReview, new ReferralStep(ReferralStepKind.ReviewStarted, e.At, e.By));

    public static ReferralDetails Apply(ReferralAccepted e, ReferralDetails r) =>
        r.Moved(ReferralStatus.Accepted, new ReferralStep(ReferralStepKind.Accepted, e.At, e.By, Note: e.Note));

    public static ReferralDetails Apply(ReferralDeclined e, ReferralDetails r) =>
        r.Moved(ReferralStatus.Declined, new ReferralStep(ReferralStepKind.Declined, e.At, e.By, e.Reason.Code(), e.Note));

    public static ReferralDetails Apply(ReferralRedirected e, ReferralDetails r) =>
        r.Moved(ReferralStatus.Redirected, new ReferralStep(ReferralStepKind.Redirected, e.At, e.By, e.Reason.Code(), e.Note, e.NewReferralId, e.NewToBodyId))
            with { NextReferralId = e.NewReferralId, NextToBodyId = e.NewToBodyId };

    public static ReferralDetails Apply(ReferralClosed e, ReferralDetails r) =>
        r.Moved(ReferralStatus.Closed, new ReferralStep(ReferralStepKind.Closed, e.At, e.By, e.Outcome.Code(), e.Note))
            with { Outcome = e.Outcome, ClosedTargetRight = e.TargetRight, ClosedAt = e.At };

    public static ReferralDetails Apply(ReferralWithdrawn e, ReferralDetails r) =>
        r.Moved(ReferralStatus.Withdrawn, new ReferralStep(ReferralStepKind.Withdrawn, e.At, e.By, e.Reason.Code(), e.Note));

    public static ReferralDetails Apply(ReferralExpired e, ReferralDetails r) =>
        r.Moved(ReferralStatus.Expired, new ReferralStep(ReferralStepKind.Expired, e.At, null));

    // Appointment outcomes are history, not transitions: the status stays.
    public static ReferralDetails Apply(ReferralAppointmentAttended e, ReferralDetails r) => r with
    {
        History = [.. r.History, new ReferralStep(ReferralStepKind.AppointmentAttended, e.At, null, RelatedId: e.AppointmentId, RelatedBodyId: e.BodyId)],
    };

    public static ReferralDetails Apply(ReferralAppointmentMissed e, ReferralDetails r) => r with
    {
        History = [.. r.History, new ReferralStep(ReferralStepKind.AppointmentMissed, e.At, null, e.Excused ? "excused" : "not_excused",
            RelatedId: e.AppointmentId, RelatedBodyId: e.BodyId)],
    };
}
