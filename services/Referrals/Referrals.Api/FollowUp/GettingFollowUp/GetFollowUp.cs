using Coordination.Secrecy;
using Coordination.Secrecy.Gate;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Messaging;
using Marten;
using Referrals.Api.Access;

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

    private static async Task<IResult> Handle(Guid personId, SecrecyGate gate, IDocumentSession session, FollowUpStatements statements, HttpContext http)
    {
        var ct = http.RequestAborted;
        var (facts, docs) = await statements.LoadAsync(personId, ct);
        var composed = FollowUpComposer.Compose(new Sight(gate.Reader, facts, gate.Now), docs);

        var read = composed.Read;
        gate.RecordRead(personId, read.Shown, read.Withheld, read.Basis?.Basis ?? Bases.Denied, read.Basis?.ConsentId);
        session.PropagateTrace();
        await session.SaveChangesAsync(ct);
        return composed.View is { } view ? TypedResults.Ok(view) : Problems.NotFound();
    }
}
