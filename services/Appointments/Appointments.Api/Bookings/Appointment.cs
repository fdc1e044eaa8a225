namespace Appointments.Api.Bookings;

// An appointment (rendez-vous) booked for a person in a body's slot: its stream holds these events. Every event
// names the person, the receiving body and the referral so that the contracts can be published from it alone.

/// <summary>Who acted, as their token said: a professional of a body, or the person themself (no body).</summary>
public sealed record Actor(string Subject, string Role, Guid? BodyId);

public sealed record AppointmentBooked(Guid AppointmentId, Guid PersonId, Guid BodyId, Guid? BookedByBodyId, Actor BookedBy,
    Guid SlotId, Guid ScheduleId, Guid PlaceId, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string Motif, Mode Mode,
    Guid? CompanionId, bool CompanionAttends, Guid? ReferralId, string? Note, DateTimeOffset At);

public sealed record AppointmentRescheduled(Guid AppointmentId, Guid PersonId, Guid BodyId, Guid? ReferralId, Guid FromSlotId,
    Guid SlotId, Guid ScheduleId, Guid PlaceId, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string Motif, Mode Mode, Actor By,
    DateTimeOffset At);

public sealed record AppointmentCancelled(Guid AppointmentId, Guid PersonId, Guid BodyId, Guid? ReferralId, Guid SlotId,
    CancelledBy CancelledBy, CancelReason Reason, Actor By, DateTimeOffset At);

public sealed record AppointmentAttended(Guid AppointmentId, Guid PersonId, Guid BodyId, Guid? ReferralId, Actor By, DateTimeOffset At);

public sealed record AppointmentMissed(Guid AppointmentId, Guid PersonId, Guid BodyId, Guid? ReferralId, bool Excused, Actor By,
    DateTimeOffset At);

/// <summary>The write-side state of an appointment: what its decisions, its webhooks and its export need.</summary>
public sealed record Appointment(Guid Id, Guid PersonId, Guid BodyId, Guid? BookedByBodyId, Guid SlotId, Guid ScheduleId, Guid PlaceId,
    DateTimeOffset StartsAt, DateTimeOffset EndsAt, string Motif, Mode Mode, Guid? CompanionId, bool CompanionAttends, Guid? ReferralId,
    AppointmentStatus Status, bool? Excused, CancelledBy? CancelledBy, CancelReason? CancelReason)
{
    public static Appointment Create(AppointmentBooked e) => new(e.AppointmentId, e.PersonId, e.BodyId, e.BookedByBodyId, e.SlotId,
        e.ScheduleId, e.PlaceId, e.StartsAt, e.EndsAt, e.Motif, e.Mode, e.CompanionId, e.CompanionAttends, e.ReferralId,
        AppointmentStatus.Booked, null, null, null);

    public Appointment Apply(AppointmentRescheduled e) => this with
    {
        SlotId = e.SlotId, ScheduleId = e.ScheduleId, PlaceId = e.PlaceId, StartsAt = e.StartsAt, EndsAt = e.EndsAt, Motif = e.Motif, Mode = e.Mode,
    };

    public Appointment Apply(AppointmentCancelled e) =>
        this with { Status = AppointmentStatus.Cancelled, CancelledBy = e.CancelledBy, CancelReason = e.Reason };

    public Appointment Apply(AppointmentAttended _) => this with { Status = AppointmentStatus.Attended };

    public Appointment Apply(AppointmentMissed e) => this with { Status = AppointmentStatus.Missed, Excused = e.Excused };
}
