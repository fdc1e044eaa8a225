using Appointments.Api.Bookings.Booking;
using Appointments.Api.Schedules;
using Appointments.Api.Slots;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Marten;

namespace Appointments.Api.Bookings.Rescheduling;

public sealed record RescheduleAppointmentRequest(Guid? SlotId, Guid? ScheduleId, DateTimeOffset? StartsAt);

public sealed record RescheduleAppointment(Guid AppointmentId, SlotEntry To, Actor By, DateTimeOffset At);

public static class RescheduleAppointmentDecider
{
    public static Dictionary<string, string[]> Validate(RescheduleAppointmentRequest r)
    {
        var errors = new Dictionary<string, string[]>();
        if (r.SlotId is null && (r.ScheduleId is null || r.StartsAt is null)) errors["slotId"] = ["Required, or 'scheduleId' with 'startsAt'."];
        return errors;
    }

    public static Guid SlotIdOf(RescheduleAppointmentRequest r) => r.SlotId ?? SlotDerivation.IdOf(r.ScheduleId!.Value, r.StartsAt!.Value);

    /// <summary>Moves a booked appointment to another slot of the same receiving body.</summary>
    public static AppointmentRescheduled Decide(Appointment a, RescheduleAppointment c) => new(a.Id, a.PersonId, a.BodyId, a.ReferralId, a.SlotId,
        c.To.Id, c.To.ScheduleId, c.To.PlaceId, c.To.StartsAt, c.To.EndsAt, c.To.Motif, c.To.Mode, c.By, c.At);
}

public static class RescheduleAppointmentEndpoint
{
    public static RouteGroupBuilder MapRescheduleAppointment(this RouteGroupBuilder group)
    {
        group.MapPost("/appointments/{id:guid}/reschedule", Handle)
            .RequireIfMatch()
            .WithName("rescheduleAppointment")
            .WithSummary("Move an appointment to another free slot")
            .WithDescription("To another slot of the same receiving body that the caller may book, under the same rules as booking. " +
                "The person or the booking body. Requires If-Match with the appointment's ETag; an appointment that is no longer " +
                "booked answers 409 with its status.")
            .Produces<AppointmentChanged>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static async Task<IResult> Handle(Guid id, RescheduleAppointmentRequest request, Caller caller, IDocumentStore store,
        IQuerySession query, TimeProvider time, HttpContext http)
    {
        var ct = http.RequestAborted;
        var errors = RescheduleAppointmentDecider.Validate(request);
        if (errors.Count > 0) return Problems.Invalid(errors);
        var expected = http.ExpectedVersion();
        var target = await query.LoadAsync<SlotEntry>(RescheduleAppointmentDecider.SlotIdOf(request), ct);

        return await SeatTransactions.Retrying(store, session => AppointmentCommands.OnAppointment(session, id, expected, caller, http,
            async (stream, a) =>
            {
                if (!caller.IsThePerson(a) && !caller.IsBookingBody(a)) return Problems.Forbidden("The person or the booking body reschedules an appointment.");
                if (a.Status != AppointmentStatus.Booked) return AppointmentCommands.IllegalTransition(a.Status);
                if (target is null || target.BodyId != a.BodyId || target.Id == a.SlotId || !BookingRules.MayBook(caller, target))
                {
                    return Problems.Invalid("slotId", "No other slot of the receiving body that you may book has this id.");
                }
                var now = time.GetUtcNow();
                if (caller.IsProfessional)
                {
                    var grants = await session.Query<GrantCopy>().Where(g => g.PersonId == a.PersonId && g.Known).ToListAsync(ct);
                    if (BookingRules.BookingConsent(grants, caller.BodyId!.Value, now) is null)
                    {
                        return Problems.Conflict("consent-required", "The person's consent is required",
                            "Rescheduling for a person needs their active grant of appointments, for appointment_booking, to your body.");
                    }
                }
                if (target.Closed) return Problems.Conflict("schedule-closed", "The slot's schedule is closed");
                if (!target.IsBookableAt(now)) return Problems.Conflict("slot-not-bookable", "The slot cannot be booked now");

                switch (await SeatTransactions.TakeSeat(session, target, a.Id, a.PersonId, ct))
                {
                    case SeatDecision.Full: return Problems.Conflict("slot-full", "The slot is full");
                    case SeatDecision.AlreadyBooked: return Problems.Conflict("already-booked", "The person already has this slot");
                    case SeatDecision.Closed: return Problems.Conflict("schedule-closed", "The slot's schedule is closed");
                }
                await SeatTransactions.ReleaseSeat(session, a.SlotId, a.Id, ct);
                stream.AppendOne(RescheduleAppointmentDecider.Decide(a, new RescheduleAppointment(a.Id, target, BookingRules.ActorOf(caller), now)));
                return null;
            }), ct);
    }
}
