using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Security;
using JasperFx.Events;
using Marten;

namespace Appointments.Api.Bookings;

/// <summary>What a command on an appointment answers: no person data, so it is not a read to log.</summary>
public sealed record AppointmentChanged(Guid Id, AppointmentStatus Status, DateTimeOffset StartsAt, DateTimeOffset EndsAt, long Version);

/// <summary>The parties of an appointment, as the caller's token places them.</summary>
public static class Parties
{
    public static bool IsThePerson(this Caller c, Appointment a) => c.IsPerson && c.PersonId == a.PersonId;

    public static bool IsBookingBody(this Caller c, Appointment a) => c.IsProfessional && a.BookedByBodyId is { } b && c.BodyId == b;

    public static bool IsReceivingBody(this Caller c, Appointment a) => c.IsProfessional && c.BodyId == a.BodyId;

    public static bool IsParty(this Caller c, Appointment a) => c.IsThePerson(a) || c.IsBookingBody(a) || c.IsReceivingBody(a);
}

public static class AppointmentCommands
{
    /// <summary>Only a booked appointment moves; anything else is an illegal transition that names the current status.</summary>
    public static IResult IllegalTransition(AppointmentStatus status) =>
        Problems.Conflict("illegal-transition", $"The appointment is {status.Code()}", "Only a booked appointment can change.",
            new Dictionary<string, object?> { ["currentStatus"] = status.Code() });

    /// <summary>
    /// Runs a command on an existing appointment at the If-Match version, in the session of one attempt of
    /// <see cref="SeatTransactions.Retrying"/>: a stale version is a 412, checked again after each conflict, so a
    /// conflict on a slot stream is retried but a change of the appointment itself is never overwritten.
    /// Non-parties get the 404 of an unknown id.
    /// </summary>
    public static async Task<IResult> OnAppointment(IDocumentSession session, Guid id, long expectedVersion, Caller caller, HttpContext http,
        Func<IEventStream<Appointment>, Appointment, Task<IResult?>> decide)
    {
        var ct = http.RequestAborted;
        var state = await session.Events.FetchStreamStateAsync(id, ct);
        if (state is null || state.AggregateType != typeof(Appointment)) return Problems.NotFound();
        var stream = await session.Events.FetchForWriting<Appointment>(id, ct);
        if (stream.Aggregate is not { } appointment || !caller.IsParty(appointment)) return Problems.NotFound();
        if (stream.CurrentVersion != expectedVersion)
        {
            return Problems.Problem(StatusCodes.Status412PreconditionFailed, "precondition-failed", "The resource changed since you read it",
                "Read it again and retry with its current ETag.");
        }

        if (await decide(stream, appointment) is { } refusal) return refusal;
        session.PropagateTrace();
        await session.SaveChangesAsync(ct);
        var version = stream.CurrentVersion ?? 0;
        http.Response.SetETag(version);
        var now = await session.Events.AggregateStreamAsync<Appointment>(id, token: ct) ?? appointment;
        return TypedResults.Ok(new AppointmentChanged(id, now.Status, now.StartsAt, now.EndsAt, version));
    }
}
