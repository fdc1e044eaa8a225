using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Marten;

namespace Appointments.Api.Bookings.Cancelling;

public sealed record CancelAppointmentRequest(CancelReason? ReasonCode);

public sealed record CancelAppointment(Guid AppointmentId, CancelledBy CancelledBy, CancelReason Reason, Actor By, DateTimeOffset At);

public static class CancelAppointmentDecider
{
    /// <summary>Who cancels follows from the caller: the person, else the body that booked, else the receiving body.</summary>
    public static CancelledBy? CancelledByOf(Caller caller, Appointment a) =>
        caller.IsThePerson(a) ? CancelledBy.Person
        : caller.IsBookingBody(a) ? CancelledBy.BookingBody
        : caller.IsReceivingBody(a) ? CancelledBy.ReceivingBody
        : null;

    public static AppointmentCancelled? Decide(Appointment a, CancelAppointment c) => a.Status != AppointmentStatus.Booked
        ? null
        : new AppointmentCancelled(a.Id, a.PersonId, a.BodyId, a.ReferralId, a.SlotId, c.CancelledBy, c.Reason, c.By, c.At);
}

public static class CancelAppointmentEndpoint
{
    public static RouteGroupBuilder MapCancelAppointment(this RouteGroupBuilder group)
    {
        group.MapPost("/appointments/{id:guid}/cancel", Handle)
            .RequireIfMatch()
            .WithName("cancelAppointment")
            .WithSummary("Cancel an appointment")
            .WithDescription("By the person, the booking body or the receiving body (cancelledBy follows from the caller), with a reasonCode: " +
                "person_unavailable, body_unavailable, no_longer_needed, other. The seat is given back. Requires If-Match with the " +
                "appointment's ETag; an appointment that is no longer booked answers 409 with its status.")
            .Produces<AppointmentChanged>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static async Task<IResult> Handle(Guid id, CancelAppointmentRequest request, Caller caller, IDocumentStore store, TimeProvider time,
        HttpContext http)
    {
        if (request.ReasonCode is not { } reason) return Problems.Invalid("reasonCode", $"Required: one of {Codes.List<CancelReason>()}.");
        var expected = http.ExpectedVersion();
        return await SeatTransactions.Retrying(store, session => AppointmentCommands.OnAppointment(session, id, expected, caller, http,
            async (stream, a) =>
            {
                var by = CancelAppointmentDecider.CancelledByOf(caller, a)!.Value;
                var cancelled = CancelAppointmentDecider.Decide(a, new CancelAppointment(a.Id, by, reason, BookingRules.ActorOf(caller), time.GetUtcNow()));
                if (cancelled is null) return AppointmentCommands.IllegalTransition(a.Status);
                await SeatTransactions.ReleaseSeat(session, a.SlotId, a.Id, http.RequestAborted);
                stream.AppendOne(cancelled);
                return null;
            }), http.RequestAborted);
    }
}
