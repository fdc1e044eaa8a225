using Marten.Events.Aggregation;

namespace Appointments.Api.Bookings.GettingDetails;

/// <summary>An appointment as it is read: everything its stream says. Views cut it down to what the reader may see.</summary>
public sealed record AppointmentDetails(Guid Id, Guid PersonId, Guid BodyId, Guid? BookedByBodyId, Actor BookedBy, Guid SlotId, Guid ScheduleId,
    Guid PlaceId, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string Motif, Mode Mode, Guid? CompanionId, bool CompanionAttends,
    Guid? ReferralId, string? Note, AppointmentStatus Status, bool? Excused, CancelledBy? CancelledBy, CancelReason? CancelReason,
    DateTimeOffset BookedAt, DateTimeOffset UpdatedAt)
{
    public long Version { get; init; }

    public Coordination.Secrecy.Item AsItem() => Coordination.Secrecy.Item.Appointment(Id, BodyId, BookedByBodyId);
}

public sealed class AppointmentDetailsProjection : SingleStreamProjection<AppointmentDetails, Guid>
{
    public static AppointmentDetails Create(AppointmentBooked e) => new(e.AppointmentId, e.PersonId, e.BodyId, e.BookedByBodyId, e.BookedBy,
        e.SlotId, e.ScheduleId, e.PlaceId, e.StartsAt, e.EndsAt, e.Motif, e.Mode, e.CompanionId, e.CompanionAttends, e.ReferralId, e.Note,
        AppointmentStatus.Booked, null, null, null, e.At, e.At);

    public static AppointmentDetails Apply(AppointmentRescheduled e, AppointmentDetails a) => a with
    {
        SlotId = e.SlotId, ScheduleId = e.ScheduleId, PlaceId = e.PlaceId, StartsAt = e.StartsAt, EndsAt = e.EndsAt, Motif = e.Motif,
        Mode = e.Mode, UpdatedAt = e.At,
    };

    public static AppointmentDetails Apply(AppointmentCancelled e, AppointmentDetails a) => a with
    {
        Status = AppointmentStatus.Cancelled, CancelledBy = e.CancelledBy, CancelReason = e.Reason, UpdatedAt = e.At,
    };

    public static AppointmentDetails Apply(AppointmentAttended e, AppointmentDetails a) => a with { Status = AppointmentStatus.Attended, UpdatedAt = e.At };

    public static AppointmentDetails Apply(AppointmentMissed e, AppointmentDetails a) =>
        a with { Status = AppointmentStatus.Missed, Excused = e.Excused, UpdatedAt = e.At };
}
