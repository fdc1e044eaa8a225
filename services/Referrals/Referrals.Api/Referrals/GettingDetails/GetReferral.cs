using Coordination.Secrecy;
using Coordination.Secrecy.Gate;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Messaging;
using Marten;
using Referrals.Api.Access;
using Referrals.Api.Copies;

namespace Referrals.Api.Referrals.GettingDetails;

public static class GetReferralEndpoint
{
    /// <summary>What reading a referral may show of the person.</summary>
    private static readonly string[] Asked = [Categories.Identity, Categories.Orientation, Categories.OrientationDetails];

    public static RouteGroupBuilder MapGetReferral(this RouteGroupBuilder group)
    {
        group.MapGet("/referrals/{id:guid}", Handle)
            .WithName("getReferral")
            .WithSummary("Read a referral")
            .WithDescription("The referral with its dated, attributed history, under DESIGN §4: the person, a companion the person " +
                "allowed, or a professional of an involved body under an active grant including orientation (a referral to a sensitive " +
                "body: only its two bodies and the person). The reason and notes need orientation_details; the person's name needs " +
                "identity. A party body that may no longer see it (revocation, expiry) gets its stub. Anyone else gets the 404 of an " +
                "unknown id. Every read is recorded in the person's access log. The ETag is the referral's version.")
            .Produces<ReferralView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> Handle(Guid id, SecrecyGate gate, IDocumentSession session, HttpContext http)
    {
        var ct = http.RequestAborted;
        var referral = await session.LoadAsync<ReferralDetails>(id, ct);
        if (referral is null) return Problems.NotFound();

        var batch = session.CreateBatchQuery();
        var pending = FactsLoader.Queue(batch, [referral.PersonId]);
        var person = batch.Load<PersonNameCopy>(referral.PersonId);
        var bodies = batch.LoadMany<BodyCopy>().ById(referral.FromBodyId, referral.ToBodyId);
        await batch.Execute(ct);
        var sight = new Sight(gate.Reader, await pending.For(referral.PersonId), gate.Now);
        var names = (await bodies).ToDictionary(b => b.Id, b => b.Name);

        var read = new ReadRecord(Asked);
        var item = ReferralViews.ItemOf(referral);
        ReferralView? view = null;
        if (read.Show(Categories.Orientation, sight.Of(Categories.Orientation, item)))
        {
            var details = read.Show(Categories.OrientationDetails, sight.Of(Categories.OrientationDetails, item));
            var name = read.Show(Categories.Identity, sight.Of(Categories.Identity)) ? (await person)?.DisplayName : null;
            view = ReferralViews.Full(referral, sight, names, details, name);
        }
        else if (gate.Caller.BodyId is { } own && (own == referral.FromBodyId || own == referral.ToBodyId))
        {
            view = ReferralViews.StubFor(referral, own, names);
        }

        gate.RecordRead(referral.PersonId, read.Shown, read.Withheld, read.Basis?.Basis ?? Bases.Denied, read.Basis?.ConsentId);
        session.PropagateTrace();
        await session.SaveChangesAsync(ct);
        if (view is null) return Problems.NotFound();
        http.Response.SetETag(referral.Version);
        return TypedResults.Ok(view);
    }
}
