namespace Appointments.Api.Schedules;

// An opening schedule of a body at one of its places or permanences: its stream holds these events. Slots are
// derived from it here only (Slots/SlotEntry).

/// <summary>Every week on <see cref="Days"/>, from <see cref="StartTime"/> to <see cref="EndTime"/> (Paris time), between two dates inclusive.</summary>
public sealed record Recurrence(DayOfWeek[] Days, TimeOnly StartTime, TimeOnly EndTime, DateOnly From, DateOnly To);

/// <summary>
/// Booking delays: a slot may be booked from <see cref="MaximumDays"/> days before it starts until
/// <see cref="MinimumMinutes"/> minutes before it starts.
/// </summary>
public sealed record BookingDelays(int MinimumMinutes, int MaximumDays)
{
    public DateTimeOffset OpensAt(DateTimeOffset startsAt) => startsAt.AddDays(-MaximumDays);

    public DateTimeOffset ClosesAt(DateTimeOffset startsAt) => startsAt.AddMinutes(-MinimumMinutes);
}

public sealed record ScheduleOpened(Guid ScheduleId, Guid BodyId, Guid PlaceId, string Motif, Mode Mode, int DurationMinutes,
    int Capacity, BookableBy[] BookableBy, BookingDelays Delays, Recurrence Recurrence, string OpenedBy, DateTimeOffset At);

public sealed record ScheduleClosed(Guid ScheduleId, Guid BodyId, string ClosedBy, DateTimeOffset At);

/// <summary>The write-side state of a schedule: only what its decisions need.</summary>
public sealed record Schedule(Guid Id, Guid BodyId, bool Closed)
{
    public static Schedule Create(ScheduleOpened e) => new(e.ScheduleId, e.BodyId, false);

    public Schedule Apply(ScheduleClosed _) => this with { Closed = true };
}
