using Appointments.Api.Schedules.Listing;
using Appointments.Api.Slots;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Marten;
using Marten.Patching;

namespace Appointments.Api.Schedules.Closing;

public sealed record CloseSchedule(Guid ScheduleId, string By, DateTimeOffset At);

public static class CloseScheduleDecider
{
    /// <summary>Null when the schedule is already closed (an illegal transition).</summary>
    public static ScheduleClosed? Decide(Schedule state, CloseSchedule c) =>
        state.Closed ? null : new ScheduleClosed(state.Id, state.BodyId, c.By, c.At);
}

public static class CloseScheduleEndpoint
{
    public static RouteGroupBuilder MapCloseSchedule(this RouteGroupBuilder group)
    {
        group.MapPost("/bodies/{bodyId:guid}/opening-schedules/{id:guid}/close", Handle)
            .RequireIfMatch()
            .WithName("closeSchedule")
            .WithSummary("Close an opening schedule")
            .WithDescription("No new slot of the schedule is offered or booked from now on; appointments already booked stay as they are. " +
                "The body's coordinators and administrators. Requires If-Match with the schedule's ETag.")
            .Produces<ScheduleDetails>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static async Task<IResult> Handle(Guid bodyId, Guid id, Caller caller, IDocumentSession session, TimeProvider time, HttpContext http)
    {
        var ct = http.RequestAborted;
        if (!caller.CanManageSchedules(bodyId)) return Access.CannotManageSchedules();
        var stream = await session.FetchExisting<Schedule>(id, http.ExpectedVersion(), ct);
        if (stream?.Aggregate is not { } state || state.BodyId != bodyId) return Problems.NotFound();

        if (CloseScheduleDecider.Decide(state, new CloseSchedule(id, caller.Subject, time.GetUtcNow())) is not { } closed)
        {
            return Problems.Conflict("illegal-transition", "The schedule is already closed", null,
                new Dictionary<string, object?> { ["currentStatus"] = "closed" });
        }
        stream.AppendOne(closed);
        // Only the offer changes: the slots' seats, and so the bookings, are left alone.
        session.Patch<SlotEntry>(s => s.ScheduleId == id).Set(s => s.Closed, true);
        await session.SaveAsync(http, stream.CurrentVersion ?? 0);
        var details = await session.LoadAsync<ScheduleDetails>(id, ct);
        return TypedResults.Ok(details);
    }
}
