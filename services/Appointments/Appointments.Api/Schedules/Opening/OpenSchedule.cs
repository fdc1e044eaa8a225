using Appointments.Api.Copies;
using Appointments.Api.Slots;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Marten;

namespace Appointments.Api.Schedules.Opening;

public sealed record RecurrenceRequest(DayOfWeek[]? Days, TimeOnly? StartTime, TimeOnly? EndTime, DateOnly? From, DateOnly? To);

public sealed record OpenScheduleRequest(Guid? PlaceId, string? Motif, Mode? Mode, int? DurationMinutes, int? Capacity,
    BookableBy[]? BookableBy, int? MinimumDelayMinutes, int? MaximumDelayDays, RecurrenceRequest? Recurrence);

public sealed record OpenSchedule(Guid ScheduleId, Guid BodyId, Guid PlaceId, string Motif, Mode Mode, int DurationMinutes, int Capacity,
    BookableBy[] BookableBy, BookingDelays Delays, Recurrence Recurrence, string By, DateTimeOffset At);

public sealed record ScheduleCreated(Guid Id, int Slots);

public static class OpenScheduleDecider
{
    public const int MaxDays = 366;
    public const int MaxSlots = 10_000;
    public const int DefaultMaximumDelayDays = 60;

    /// <summary>The request on its own: shapes and ranges. Every error names its field.</summary>
    public static Dictionary<string, string[]> Validate(OpenScheduleRequest r)
    {
        var errors = new Dictionary<string, string[]>();
        if (r.PlaceId is null) errors["placeId"] = ["Required: a place or permanence of the body."];
        var motif = r.Motif?.Trim();
        if (string.IsNullOrEmpty(motif)) errors["motif"] = ["Required."];
        else if (motif.Length is < 2 or > 100) errors["motif"] = ["Between 2 and 100 characters."];
        if (r.Mode is null) errors["mode"] = [$"Required: one of {Codes.List<Mode>()}."];
        if (r.DurationMinutes is not { } duration) errors["durationMinutes"] = ["Required."];
        else if (duration is < 5 or > 480) errors["durationMinutes"] = ["Between 5 and 480 minutes."];
        if (r.Capacity is { } capacity && capacity is < 1 or > 100) errors["capacity"] = ["Between 1 and 100 (more than 1: a collective session)."];
        if (r.BookableBy is not { Length: > 0 }) errors["bookableBy"] = [$"At least one of {Codes.List<BookableBy>()}."];
        if (r.MinimumDelayMinutes is { } min && min is < 0 or > 60 * 24 * 90) errors["minimumDelayMinutes"] = ["Between 0 and 129600 (90 days)."];
        if (r.MaximumDelayDays is { } max && max is < 1 or > MaxDays) errors["maximumDelayDays"] = [$"Between 1 and {MaxDays}."];
        else if (r.MaximumDelayDays is { } maxDays && r.MinimumDelayMinutes is { } minMinutes && maxDays * 24 * 60 <= minMinutes)
        {
            errors["maximumDelayDays"] = ["Longer than the minimum delay."];
        }

        if (r.Recurrence is not { } rec)
        {
            errors["recurrence"] = ["Required."];
            return errors;
        }
        if (rec.Days is not { Length: > 0 }) errors["recurrence.days"] = ["At least one day of the week."];
        if (rec.StartTime is null) errors["recurrence.startTime"] = ["Required."];
        if (rec.EndTime is null) errors["recurrence.endTime"] = ["Required."];
        else if (rec.StartTime is { } s && rec.EndTime <= s) errors["recurrence.endTime"] = ["After 'startTime'."];
        else if (rec.StartTime is { } s2 && r.DurationMinutes is { } d && (rec.EndTime.Value - s2).TotalMinutes < d)
        {
            errors["recurrence.endTime"] = ["At least one slot of 'durationMinutes' between 'startTime' and 'endTime'."];
        }
        if (rec.From is null) errors["recurrence.from"] = ["Required."];
        if (rec.To is null) errors["recurrence.to"] = ["Required."];
        else if (rec.From is { } f && rec.To < f) errors["recurrence.to"] = ["On or after 'from'."];
        else if (rec.From is { } f2 && rec.To.Value.DayNumber - f2.DayNumber > MaxDays) errors["recurrence.to"] = ["A schedule lasts at most a year."];
        return errors;
    }

    public static OpenSchedule Command(Guid id, Guid bodyId, OpenScheduleRequest r, string by, DateTimeOffset at)
    {
        var rec = r.Recurrence!;
        var recurrence = new Recurrence(rec.Days!.Distinct().Order().ToArray(), rec.StartTime!.Value, rec.EndTime!.Value, rec.From!.Value, rec.To!.Value);
        var delays = new BookingDelays(r.MinimumDelayMinutes ?? 0, r.MaximumDelayDays ?? DefaultMaximumDelayDays);
        return new OpenSchedule(id, bodyId, r.PlaceId!.Value, r.Motif!.Trim(), r.Mode!.Value, r.DurationMinutes!.Value, r.Capacity ?? 1,
            r.BookableBy!.Distinct().Order().ToArray(), delays, recurrence, by, at);
    }

    /// <summary>
    /// Against the place: it is the body's, and a schedule at a permanence lies within the permanence's dates, days
    /// and hours. Then the number of slots, which must be bounded.
    /// </summary>
    public static Dictionary<string, string[]> Check(OpenSchedule c, PlaceCopy? place)
    {
        var errors = new Dictionary<string, string[]>();
        if (place is null || place.BodyId != c.BodyId)
        {
            errors["placeId"] = ["No place or permanence of this body has this id."];
            return errors;
        }
        var r = c.Recurrence;
        if (place.Permanence is { } p)
        {
            if (r.From < p.From) errors["recurrence.from"] = [$"The permanence starts on {p.From:yyyy-MM-dd}."];
            if (r.To > p.To) errors["recurrence.to"] = [$"The permanence ends on {p.To:yyyy-MM-dd}."];
            if (r.Days.Except(p.Days).Any()) errors["recurrence.days"] = ["The permanence is held on " + string.Join(", ", p.Days.Select(d => d.Code())) + " only."];
            if (r.StartTime < p.Opens) errors["recurrence.startTime"] = [$"The permanence opens at {p.Opens:HH\\:mm}."];
            if (r.EndTime > p.Closes) errors["recurrence.endTime"] = [$"The permanence closes at {p.Closes:HH\\:mm}."];
            if (errors.Count > 0) return errors;
        }
        var count = SlotDerivation.Count(r, c.DurationMinutes);
        if (count == 0) errors["recurrence"] = ["These days, dates and times give no slot."];
        else if (count > MaxSlots) errors["recurrence"] = [$"At most {MaxSlots} slots per schedule: shorten the dates or lengthen the slots."];
        return errors;
    }

    public static ScheduleOpened Decide(OpenSchedule c) => new(c.ScheduleId, c.BodyId, c.PlaceId, c.Motif, c.Mode, c.DurationMinutes,
        c.Capacity, c.BookableBy, c.Delays, c.Recurrence, c.By, c.At);
}

public static class OpenScheduleEndpoint
{
    public static RouteGroupBuilder MapOpenSchedule(this RouteGroupBuilder group)
    {
        group.MapPost("/bodies/{bodyId:guid}/opening-schedules", Handle)
            .AcceptsIdempotencyKey()
            .WithName("openSchedule")
            .WithSummary("Open a schedule at a place or permanence of a body")
            .WithDescription("Motif, mode, slot length (durationMinutes), capacity (1, or more for a collective session), who may book " +
                "(body_members, partner_professionals, person), booking delays, and a weekly recurrence in Europe/Paris time. A schedule " +
                "at a permanence lies within the permanence's dates, days and hours. Its slots are derived at once. The body's " +
                "coordinators and administrators. Accepts an Idempotency-Key header.")
            .Produces<ScheduleCreated>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static async Task<IResult> Handle(Guid bodyId, OpenScheduleRequest request, Caller caller, IDocumentSession session,
        TimeProvider time, HttpContext http)
    {
        var ct = http.RequestAborted;
        if (!caller.CanManageSchedules(bodyId)) return Access.CannotManageSchedules();
        var errors = OpenScheduleDecider.Validate(request);
        if (errors.Count > 0) return Problems.Invalid(errors);

        var batch = session.CreateBatchQuery();
        var bodyTask = batch.Load<BodyCopy>(bodyId);
        var placeTask = batch.Load<PlaceCopy>(request.PlaceId!.Value);
        await batch.Execute(ct);
        var body = await bodyTask;
        if (body is null) return Problems.NotFound();
        var place = await placeTask;

        var command = OpenScheduleDecider.Command(Guid.CreateVersion7(), bodyId, request, caller.Subject, time.GetUtcNow());
        errors = OpenScheduleDecider.Check(command, place);
        if (errors.Count > 0) return Problems.Invalid(errors);

        var opened = OpenScheduleDecider.Decide(command);
        session.Events.StartStream<Schedule>(command.ScheduleId, opened);
        var slots = SlotDerivation.Slots(command.ScheduleId, command.Recurrence, command.DurationMinutes)
            .Select(s => SlotEntries.From(opened, s, body.Name, place!)).ToList();
        // The slots are written in the schedule's own transaction: a schedule never exists without its slots.
        session.Store(slots.ToArray());
        return await session.CreatedAsync(http, $"/bodies/{bodyId}/opening-schedules/{command.ScheduleId}",
            new ScheduleCreated(command.ScheduleId, slots.Count), version: 1);
    }
}
