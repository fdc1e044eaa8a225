using Appointments.Api.Schedules;

namespace Appointments.Api.Slots;

/// <summary>
/// One slot, materialised when its schedule opens so that the slot search is an indexed query. <see cref="Free"/>
/// is kept by the booking transactions (which count seats on the slot's stream); <see cref="Closed"/> by closing
/// the schedule. <see cref="BookableFrom"/>/<see cref="BookableUntil"/> are the booking delays as instants.
/// </summary>
public sealed record SlotEntry(Guid Id, Guid ScheduleId, Guid BodyId, string? BodyName, Guid PlaceId, string PlaceName, string? Commune,
    string? CommuneInsee, string? PostalCode, string Motif, Mode Mode, DateTimeOffset StartsAt, DateTimeOffset EndsAt, int Capacity,
    int Free, bool ByMembers, bool ByPartners, bool ByPerson, DateTimeOffset BookableFrom, DateTimeOffset BookableUntil, bool Closed)
{
    public bool IsBookableAt(DateTimeOffset now) => !Closed && BookableFrom <= now && now <= BookableUntil;
}

/// <summary>A seat of a slot was taken or given back: the slot's own stream, so that its capacity is checked in PostgreSQL.</summary>
public sealed record SeatTaken(Guid SlotId, Guid AppointmentId, Guid PersonId);

public sealed record SeatReleased(Guid SlotId, Guid AppointmentId);

public sealed record Seat(Guid AppointmentId, Guid PersonId);

/// <summary>
/// The seats of one slot. Every booking appends to this stream at the version it read: two bookings of the last
/// seat cannot both commit, whichever node they run on.
/// </summary>
public sealed record SlotSeats(Guid Id, IReadOnlyList<Seat> Seats)
{
    public static SlotSeats Create(SeatTaken e) => new(e.SlotId, [new Seat(e.AppointmentId, e.PersonId)]);

    public SlotSeats Apply(SeatTaken e) => this with { Seats = [.. Seats, new Seat(e.AppointmentId, e.PersonId)] };

    public SlotSeats Apply(SeatReleased e) => this with { Seats = Seats.Where(s => s.AppointmentId != e.AppointmentId).ToList() };
}

public static class SlotEntries
{
    public static SlotEntry From(ScheduleOpened e, DerivedSlot slot, string? bodyName, Copies.PlaceCopy place) =>
        new(slot.Id, e.ScheduleId, e.BodyId, bodyName, place.Id, place.Name, place.Commune, place.CommuneInsee, place.PostalCode, e.Motif,
            e.Mode, slot.StartsAt, slot.EndsAt, e.Capacity, e.Capacity, e.BookableBy.Contains(BookableBy.BodyMembers),
            e.BookableBy.Contains(BookableBy.PartnerProfessionals), e.BookableBy.Contains(BookableBy.Person),
            e.Delays.OpensAt(slot.StartsAt), e.Delays.ClosesAt(slot.StartsAt), false);
}
