using Coordination.ServiceDefaults.Http;
using Marten;
using Marten.Events.Aggregation;
using Marten.Linq;

namespace Appointments.Api.Schedules.Listing;

/// <summary>A schedule as it is read.</summary>
public sealed record ScheduleDetails(Guid Id, Guid BodyId, Guid PlaceId, string Motif, Mode Mode, int DurationMinutes, int Capacity,
    BookableBy[] BookableBy, int MinimumDelayMinutes, int MaximumDelayDays, Recurrence Recurrence, bool Closed, DateTimeOffset OpenedAt,
    DateTimeOffset? ClosedAt)
{
    public long Version { get; init; }
}

public sealed class ScheduleDetailsProjection : SingleStreamProjection<ScheduleDetails, Guid>
{
    public static ScheduleDetails Create(ScheduleOpened e) => new(e.ScheduleId, e.BodyId, e.PlaceId, e.Motif, e.Mode, e.DurationMinutes,
        e.Capacity, e.BookableBy, e.Delays.MinimumMinutes, e.Delays.MaximumDays, e.Recurrence, false, e.At, null);

    public static ScheduleDetails Apply(ScheduleClosed e, ScheduleDetails s) => s with { Closed = true, ClosedAt = e.At };
}

public static class ListSchedulesEndpoint
{
    public static RouteGroupBuilder MapListSchedules(this RouteGroupBuilder group)
    {
        group.MapGet("/bodies/{bodyId:guid}/opening-schedules", Handle)
            .WithName("listSchedules")
            .WithSummary("List the opening schedules of a body")
            .WithDescription("Open and closed schedules, newest first, paged (page from 1, pageSize at most 100). Any caller of the service.")
            .Produces<PageOf<ScheduleDetails>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> Handle(Guid bodyId, int? page, int? pageSize, IQuerySession session, HttpContext http)
    {
        if (!Paging.TryCreate(page, pageSize, out var paging, out var problem)) return problem!;
        var schedules = await session.Query<ScheduleDetails>().Where(s => s.BodyId == bodyId)
            .Stats(out var stats).OrderByDescending(s => s.OpenedAt).ThenBy(s => s.Id)
            .Skip(paging.Skip).Take(paging.PageSize).ToListAsync(http.RequestAborted);
        if (stats.TotalResults == 0 && await session.LoadAsync<Coordination.Secrecy.Gate.Copies.BodyCopy>(bodyId, http.RequestAborted) is null)
        {
            return Problems.NotFound();
        }
        return TypedResults.Ok(new PageOf<ScheduleDetails>(schedules, paging.Page, paging.PageSize, stats.TotalResults));
    }
}
