using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Marten;

namespace Appointments.Api.Bookings.RecordingAttendance;

public sealed record RecordAttendanceRequest(AttendanceOutcome? Outcome);

public sealed record RecordAttendance(Guid AppointmentId, AttendanceOutcome Outcome, Actor By, DateTimeOffset At);

public static class RecordAttendanceDecider
{
    /// <summary>seen → attended; noshow → missed, not excused; excused → missed, excused. Only from booked.</summary>
    public static object? Decide(Appointment a, RecordAttendance c)
    {
        if (a.Status != AppointmentStatus.Booked) return null;
        return c.Outcome switch
        {
            AttendanceOutcome.Seen => new AppointmentAttended(a.Id, a.PersonId, a.BodyId, a.ReferralId, c.By, c.At),
            AttendanceOutcome.Noshow => new AppointmentMissed(a.Id, a.PersonId, a.BodyId, a.ReferralId, false, c.By, c.At),
            _ => new AppointmentMissed(a.Id, a.PersonId, a.BodyId, a.ReferralId, true, c.By, c.At),
        };
    }
}

public static class RecordAttendanceEndpoint
{
    public static RouteGroupBuilder MapRecordAttendance(this RouteGroupBuilder group)
    {
        group.MapPost("/appointments/{id:guid}/attendance", Handle)
            .RequireIfMatch()
            .WithName("recordAttendance")
            .WithSummary("Record whether the person came")
            .WithDescription("outcome: seen, noshow or excused. The receiving body's members. Requires If-Match with the appointment's ETag; " +
                "an appointment that is no longer booked answers 409 with its status.")
            .Produces<AppointmentChanged>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static async Task<IResult> Handle(Guid id, RecordAttendanceRequest request, Caller caller, IDocumentStore store, TimeProvider time,
        HttpContext http)
    {
        if (request.Outcome is not { } outcome) return Problems.Invalid("outcome", $"Required: one of {Codes.List<AttendanceOutcome>()}.");
        var expected = http.ExpectedVersion();
        return await SeatTransactions.Retrying(store, session => AppointmentCommands.OnAppointment(session, id, expected, caller, http,
            (stream, a) =>
            {
                if (!caller.IsReceivingBody(a)) return Task.FromResult<IResult?>(Problems.Forbidden("The receiving body's members record attendance."));
                var outcomeEvent = RecordAttendanceDecider.Decide(a, new RecordAttendance(a.Id, outcome, BookingRules.ActorOf(caller), time.GetUtcNow()));
                if (outcomeEvent is null) return Task.FromResult<IResult?>(AppointmentCommands.IllegalTransition(a.Status));
                stream.AppendOne(outcomeEvent);
                return Task.FromResult<IResult?>(null);
            }), http.RequestAborted);
    }
}
