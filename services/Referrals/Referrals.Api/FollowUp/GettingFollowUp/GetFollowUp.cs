using Coordination.Secrecy;
using Coordination.Secrecy.Gate;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Messaging;
using Marten;
using Referrals.Api.Access;
using Referrals.Api.Accompaniments.Listing;
using Referrals.Api.ContactPersons.Listing;
using Referrals.Api.Copies;
using Referrals.Api.Referrals.GettingDetails;

namespace Referrals.Api.FollowUp.GettingFollowUp;

public static class GetFollowUpEndpoint
{
    public static RouteGroupBuilder MapGetFollowUp(this RouteGroupBuilder group)
    {
        group.MapGet("/persons/{personId:guid}/follow-up", Handle)
            .WithName("getFollowUp")
            .WithSummary("Read a person's shared follow-up")
            .WithDescription("One document: the person's name (identity), orientations (orientation; reason and notes with " +
                "orientation_details), the contact person in each body (contacts), companions (companion), upcoming and past " +
                "appointments (appointments) and the accompaniment log (accompaniment). Each item appears only if the reader may see " +
                "its category and the item itself under DESIGN §4 (items at a sensitive body only for the bodies concerned; entries " +
                "the person hid only for the person). A section the reader may not see is null and its category is listed in " +
                "categoriesWithheld. A reader who may see nothing gets the 404 of an unknown id. Every read, granted or denied, is " +
                "recorded in the person's access log.")
            .Produces<FollowUpView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> Handle(Guid personId, SecrecyGate gate, IDocumentSession session, HttpContext http)
    {
        var ct = http.RequestAborted;
        var (facts, docs) = await LoadAsync(session, personId, ct);
        var composed = FollowUpComposer.Compose(new Sight(gate.Reader, facts, gate.Now), docs);

        var read = composed.Read;
        gate.RecordRead(personId, read.Shown, read.Withheld, read.Basis?.Basis ?? Bases.Denied, read.Basis?.ConsentId);
        session.PropagateTrace();
        await session.SaveChangesAsync(ct);
        return composed.View is { } view ? TypedResults.Ok(view) : Problems.NotFound();
    }

    public const string OfPerson = "where d.person_id = ?";
    public const string KnownOfPerson = "where (d.person_id = ? and (d.data ->> 'known' is not null and CAST(d.data ->> 'known' as boolean) = True))";

    /// <summary>
    /// The secrecy facts and every follow-up document of the person in one database round trip, body names
    /// included (every body an item names is involved with the person).
    /// </summary>
    public static async Task<(PersonFacts Facts, FollowUpDocuments Documents)> LoadAsync(IQuerySession session, Guid personId, CancellationToken ct)
    {
        var batch = session.CreateBatchQuery();
        var pending = FactsLoader.Queue(batch, [personId]);
        var bodies = FactsLoader.QueueInvolvedBodies(batch, session, [personId]);
        var person = batch.Load<PersonNameCopy>(personId);
        // SQL rather than LINQ, as in FactsLoader: the duplicated person_id columns, without parsing LINQ on every read.
        var referrals = batch.Query<ReferralDetails>(OfPerson, personId);
        var contacts = batch.Query<ContactPersonHistory>(OfPerson, personId);
        var appointments = batch.Query<AppointmentCopy>(KnownOfPerson, personId);
        var accompaniments = batch.Query<AccompanimentDetails>(OfPerson, personId);
        await batch.Execute(ct);

        var facts = await pending.For(personId);
        var docs = new FollowUpDocuments(personId, await person, await referrals, await contacts, await pending.Companions,
            await appointments, await accompaniments, (await bodies).ToDictionary(b => b.Id, b => b.Name));
        return (facts, docs);
    }
}
