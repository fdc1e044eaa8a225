using Appointments.Api.Bookings.GettingDetails;
using Appointments.Api.Copies;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Messaging;
using Marten;

namespace Appointments.Api.Bookings.Listing;

public static class ListPersonAppointmentsEndpoint
{
    public static RouteGroupBuilder MapListPersonAppointments(this RouteGroupBuilder group)
    {
        group.MapGet("/persons/{personId:guid}/appointments", Handle)
            .WithName("listPersonAppointments")
            .WithSummary("List a person's appointments")
            .WithDescription("The person's appointments the caller may see, each under the rules of reading one appointment, by start " +
                "(page from 1, pageSize at most 100). A caller who may see none of them gets the 404 of an unknown person. The read " +
                "is recorded once in the person's access log.")
            .Produces<PageOf<AppointmentView>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> Handle(Guid personId, int? page, int? pageSize, SecrecyGate gate, IDocumentSession session, HttpContext http)
    {
        var ct = http.RequestAborted;
        if (!Paging.TryCreate(page, pageSize, out var paging, out var problem)) return problem!;

        // A person's appointments are few (tens): decide on all of them, then page what the reader may see.
        var all = await session.Query<AppointmentDetails>().Where(a => a.PersonId == personId).OrderBy(a => a.StartsAt).ThenBy(a => a.Id)
            .ToListAsync(ct);
        var batch = session.CreateBatchQuery();
        var person = batch.Load<PersonCopy>(personId);
        var companions = batch.Query<CompanionCopy>().Where(c => c.PersonId == personId).ToList();
        var places = batch.LoadMany<PlaceCopy>().ById(all.Select(a => a.PlaceId).Distinct().ToArray());
        var bodies = batch.LoadMany<BodyCopy>().ById(all.Select(a => a.BodyId).Distinct().ToArray());
        await batch.Execute(ct);
        var facts = await gate.FactsAsync(personId, ct);
        var placeById = (await places).ToDictionary(p => p.Id);
        var bodyById = (await bodies).ToDictionary(b => b.Id);
        var companionById = (await companions).ToDictionary(c => c.Id);
        var name = await person;

        var read = new ReadRecord();
        var views = new List<AppointmentView>();
        foreach (var a in all)
        {
            var names = new AppointmentSight.Names(name, a.CompanionId is { } c ? companionById.GetValueOrDefault(c) : null,
                placeById.GetValueOrDefault(a.PlaceId), bodyById.GetValueOrDefault(a.BodyId));
            if (AppointmentSight.View(gate.Reader, facts, a, names, gate.Now, read) is { } view) views.Add(view);
        }
        // The person, or a reader the category is open to, may see an empty list; anyone else learns nothing.
        var general = gate.Decide(facts, Categories.Appointments);
        var mayList = views.Count > 0 || general.Allowed;
        var basis = read.Basis ?? (general.Allowed ? general : Decision.Denied);
        gate.RecordRead(personId, read.Shown, read.Withheld, basis.Basis, basis.ConsentId);
        session.PropagateTrace();
        await session.SaveChangesAsync(ct);
        if (!mayList) return Problems.NotFound();
        var pageItems = views.Skip(paging.Skip).Take(paging.PageSize).ToList();
        return TypedResults.Ok(new PageOf<AppointmentView>(pageItems, paging.Page, paging.PageSize, views.Count));
    }
}
