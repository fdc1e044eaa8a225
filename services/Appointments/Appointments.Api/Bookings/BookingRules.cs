using Appointments.Api.Slots;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Marten;
using Marten.Patching;

namespace Appointments.Api.Bookings;

public enum SeatDecision { Take, Full, AlreadyBooked, Closed }

/// <summary>The rules of booking a slot, pure: who may book it, under which consent, and whether a seat is left.</summary>
public static class BookingRules
{
    public const int MaxNoteLength = 500;

    /// <summary>A person books person-bookable slots; a professional their own body's members' slots, or other bodies' partner slots.</summary>
    public static bool MayBook(Caller caller, SlotEntry slot) => caller.IsPerson
        ? slot.ByPerson
        : caller.IsProfessional && (caller.BodyId == slot.BodyId ? slot.ByMembers : slot.ByPartners);

    /// <summary>Professionals and persons book; administrators and partner systems never act for a person.</summary>
    public static bool MayBookAtAll(Caller caller) => caller.IsPerson || caller.IsProfessional;

    /// <summary>
    /// The consent a professional's booking rests on: an active grant of the person to the booking body, for
    /// appointment_booking, including appointments. Null when there is none (409 consent-required).
    /// </summary>
    public static Guid? BookingConsent(IEnumerable<GrantCopy> grants, Guid bookingBodyId, DateTimeOffset now) => grants
        .Select(g => g.ToGrant())
        .FirstOrDefault(g => g.BodyId == bookingBodyId && g.Purpose == Purposes.AppointmentBooking && g.IsActiveAt(now)
            && g.Categories.Contains(Categories.Appointments))?.ConsentId;

    /// <summary>One of the person's companions, chosen and not removed or expired.</summary>
    public static CompanionCopy? ActiveCompanion(IEnumerable<CompanionCopy> companions, Guid personId, Guid companionId, DateTimeOffset now) =>
        companions.FirstOrDefault(c => c.Id == companionId && c.PersonId == personId && c.Known && c.ToCompanionGrant().IsActiveAt(now));

    public static SeatDecision Seat(SlotSeats? seats, int capacity, Guid personId)
    {
        var taken = seats?.Seats ?? [];
        if (taken.Any(s => s.PersonId == personId)) return SeatDecision.AlreadyBooked;
        return taken.Count >= capacity ? SeatDecision.Full : SeatDecision.Take;
    }

    public static Actor ActorOf(Caller caller) => new(caller.Subject, caller.Role, caller.IsProfessional ? caller.BodyId : null);
}

/// <summary>
/// Commands that take or give back seats run in a fresh session per attempt: when another transaction appended to
/// one of the slot streams first (on this node or another), PostgreSQL refuses ours and we read again and retry,
/// until the slot is full or our append commits.
/// </summary>
public static class SeatTransactions
{
    private const int MaxAttempts = 25;

    public static async Task<IResult> Retrying(IDocumentStore store, Func<IDocumentSession, Task<IResult>> attempt, CancellationToken ct)
    {
        for (var tries = 1; ; tries++)
        {
            await using var session = store.LightweightSession();
            try
            {
                return await attempt(session);
            }
            catch (Exception e) when (Streams.IsConcurrencyConflict(e))
            {
                if (tries == MaxAttempts)
                {
                    return Problems.Conflict("slot-busy", "The slot is being booked by many at once", "Retry in a moment.");
                }
                await Task.Delay(Random.Shared.Next(2, 10 * Math.Min(tries, 10)), ct);
            }
        }
    }

    /// <summary>
    /// Takes a seat for the appointment on the slot's stream and keeps the slot's free count. The slot's row is locked
    /// first, for the rest of the transaction: a schedule being closed at the same moment either waits for this seat
    /// (one of the bookings a closing leaves alone) or has closed the slot before (<see cref="SeatDecision.Closed"/>),
    /// never a seat taken in a slot already closed.
    /// </summary>
    public static async Task<SeatDecision> TakeSeat(IDocumentSession session, SlotEntry slot, Guid appointmentId, Guid personId, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        var closed = await session.QueryAsync<bool>(
            $"select coalesce((data ->> 'closed')::boolean, false) from {session.DocumentStore.Options.Schema.For<SlotEntry>()} where id = ? for update",
            ct, slot.Id);
        if (closed.Count == 0 || closed[0]) return SeatDecision.Closed;
        var seats = await session.Events.FetchForWriting<SlotSeats>(slot.Id, ct);
        var decision = BookingRules.Seat(seats.Aggregate, slot.Capacity, personId);
        if (decision != SeatDecision.Take) return decision;
        seats.AppendOne(new SeatTaken(slot.Id, appointmentId, personId));
        session.Patch<SlotEntry>(slot.Id).Set(s => s.Free, slot.Capacity - (seats.Aggregate?.Seats.Count ?? 0) - 1);
        return decision;
    }

    public static async Task ReleaseSeat(IDocumentSession session, Guid slotId, Guid appointmentId, CancellationToken ct)
    {
        var seats = await session.Events.FetchForWriting<SlotSeats>(slotId, ct);
        if (seats.Aggregate is not { } state || state.Seats.All(s => s.AppointmentId != appointmentId)) return;
        seats.AppendOne(new SeatReleased(slotId, appointmentId));
        var slot = await session.LoadAsync<SlotEntry>(slotId, ct);
        if (slot is not null) session.Patch<SlotEntry>(slotId).Set(s => s.Free, slot.Capacity - (state.Seats.Count - 1));
    }
}
