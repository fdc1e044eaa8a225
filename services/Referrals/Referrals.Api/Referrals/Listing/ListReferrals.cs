using Coordination.Secrecy;
using Coordination.Secrecy.Gate;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Messaging;
using Marten;
using Marten.Linq;
using Referrals.Api.Access;
using Referrals.Api.Copies;
using Referrals.Api.Referrals.GettingDetails;

namespace Referrals.Api.Referrals.Listing;

public enum ReferralDirection { Inbox, Outbox }

public static class ListReferralsEndpoint
{
    private static readonly string[] Asked = [Categories.Identity, Categories.Orientation];

    private static readonly IReadOnlyDictionary<string, ReferralStatus> StatusByCode =
        Enum.GetValues<ReferralStatus>().ToDictionary(s => s.Code(), s => s, StringComparer.Ordinal);

    public static RouteGroupBuilder MapListReferrals(this RouteGroupBuilder group)
    {
        group.MapGet("/referrals", Handle)
            .WithName("listReferrals")
            .WithSummary("List a body's referrals")
            .WithDescription("The caller's own body's referrals, received (direction=inbox, the default) or sent (outbox), optionally " +
                "of one status (sent, in_review, accepted, declined, redirected, withdrawn, expired, closed), newest first, paged. " +
                "bodyId defaults to the caller's body; another body's list is 403, and so is the list for peer workers and volunteers. Each referral the caller may still see under " +
                "DESIGN §4 is shown in full (without reason or notes); the others are stubs (ids, dates, status, the body's own " +
                "actions; no name, no details) so that the body can still close them. Each person on the page gets one entry in their access log.")
            .Produces<PageOf<ReferralView>>()
            .ProducesValidationProblem();
        return group;
    }

    private static async Task<IResult> Handle(string? bodyId, string? direction, string? status, int? page, int? pageSize, SecrecyGate gate,
        IDocumentSession session, HttpContext http)
    {
        var ct = http.RequestAborted;
        // A work list of those who handle referrals: peer workers and volunteers see no orientation (§4).
        if (!ReferralActions.MayHandleReferrals(gate.Caller)) return ReferralActions.RoleMayNotHandleReferrals();
        var own = gate.Caller.BodyId!.Value;
        if (bodyId is not null)
        {
            if (!Guid.TryParse(bodyId, out var asked)) return Problems.Invalid("bodyId", "A body id.");
            if (asked != own) return Problems.Forbidden("A body lists its own referrals only.");
        }
        if (!Paging.TryCreate(page, pageSize, out var paging, out var problem)) return problem!;
        var errors = new Dictionary<string, string[]>();
        var inbox = direction is null or "inbox";
        if (direction is not (null or "inbox" or "outbox")) errors["direction"] = ["inbox or outbox."];
        ReferralStatus? wanted = null;
        if (status is not null)
        {
            if (StatusByCode.TryGetValue(status, out var s)) wanted = s;
            else errors["status"] = ["One of " + string.Join(", ", StatusByCode.Keys) + "."];
        }
        if (errors.Count > 0) return Problems.Invalid(errors);

        var query = inbox ? session.Query<ReferralDetails>().Where(r => r.ToBodyId == own) : session.Query<ReferralDetails>().Where(r => r.FromBodyId == own);
        if (wanted is { } w) query = query.Where(r => r.Status == w);
        var referrals = await query.Stats(out var stats).OrderByDescending(r => r.SentAt).ThenBy(r => r.Id)
            .Skip(paging.Skip).Take(paging.PageSize).ToListAsync(ct);

        var personIds = referrals.Select(r => r.PersonId).Distinct().ToArray();
        var facts = await FactsLoader.LoadManyAsync(session, personIds, ct);
        var persons = (await session.LoadManyAsync<PersonNameCopy>(ct, personIds)).ToDictionary(p => p.Id, p => p.DisplayName);
        var names = await BodyNames.LoadAsync(session, ReferralViews.BodiesOf(referrals), ct);

        var reads = personIds.ToDictionary(p => p, _ => new ReadRecord(Asked));
        var items = new List<ReferralView>(referrals.Count);
        foreach (var r in referrals)
        {
            var sight = new Sight(gate.Reader, facts[r.PersonId], gate.Now);
            var read = reads[r.PersonId];
            if (read.Show(Categories.Orientation, sight.Of(Categories.Orientation, ReferralViews.ItemOf(r))))
            {
                var name = read.Show(Categories.Identity, sight.Of(Categories.Identity)) ? persons.GetValueOrDefault(r.PersonId) : null;
                items.Add(ReferralViews.Full(r, sight, names, details: false, name));
            }
            else
            {
                items.Add(ReferralViews.StubFor(r, own, names));
            }
        }
        foreach (var (personId, read) in reads)
        {
            gate.RecordRead(personId, read.Shown, read.Withheld, read.Basis?.Basis ?? Bases.Denied, read.Basis?.ConsentId);
        }
        session.PropagateTrace();
        await session.SaveChangesAsync(ct);
        return TypedResults.Ok(new PageOf<ReferralView>(items, paging.Page, paging.PageSize, stats.TotalResults));
    }
}
