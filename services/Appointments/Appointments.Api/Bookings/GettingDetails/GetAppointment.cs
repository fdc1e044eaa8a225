using Appointments.Api.Copies;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Messaging;
using Marten;

namespace Appointments.Api.Bookings.GettingDetails;

/// <summary>One appointment read through the gate: the view (or nothing), with its access-log event appended to the request's session.</summary>
public static class AppointmentReads
{
    public static async Task<(AppointmentDetails? Details, AppointmentView? View)> ReadOne(Guid id, SecrecyGate gate, IDocumentSession session,
        CancellationToken ct)
    {
        var details = await session.LoadAsync<AppointmentDetails>(id, ct);
        if (details is null) return (null, null);

        var batch = session.CreateBatchQuery();
        var person = batch.Load<PersonCopy>(details.PersonId);
        var companion = batch.Load<CompanionCopy>(details.CompanionId ?? Guid.Empty);
        var place = batch.Load<PlaceCopy>(details.PlaceId);
        var body = batch.Load<BodyCopy>(details.BodyId);
        await batch.Execute(ct);
        var facts = await gate.FactsAsync(details.PersonId, ct);

        var read = new ReadRecord();
        var view = AppointmentSight.View(gate.Reader, facts, details,
            new AppointmentSight.Names(await person, await companion, await place, await body), gate.Now, read);
        gate.RecordRead(details.PersonId, read.Shown, read.Withheld, read.Basis?.Basis ?? Bases.Denied, read.Basis?.ConsentId);
        return (details, view);
    }
}

public static class GetAppointmentEndpoint
{
    public static RouteGroupBuilder MapGetAppointment(this RouteGroupBuilder group)
    {
        group.MapGet("/appointments/{id:guid}", Handle)
            .WithName("getAppointment")
            .WithSummary("Read an appointment")
            .WithDescription("The person sees their own; the receiving body what the booking holds (time, motif, mode, the person's " +
                "display name, companion attending, the note) while it holds an active grant; the booking body, other involved bodies " +
                "and the companion as the person's grants say (an appointment at a sensitive body: its two bodies and the person only). " +
                "A body concerned that may no longer see it gets its stub; anyone else the 404 of an unknown id. Every read is " +
                "recorded in the person's access log. The ETag is the appointment's version.")
            .Produces<AppointmentView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> Handle(Guid id, SecrecyGate gate, IDocumentSession session, HttpContext http)
    {
        var (details, view) = await AppointmentReads.ReadOne(id, gate, session, http.RequestAborted);
        if (details is null) return Problems.NotFound();
        session.PropagateTrace();
        await session.SaveChangesAsync(http.RequestAborted);
        if (view is null) return Problems.NotFound();
        http.Response.SetETag(details.Version);
        return TypedResults.Ok(view);
    }
}
