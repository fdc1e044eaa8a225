using Coordination.Secrecy.Gate;
using Marten;

namespace Referrals.Api.Referrals.Reviewing;

public sealed record ReviewReferral(Actor By, DateTimeOffset At);

public static class ReviewReferralDecider
{
    public static Decided Decide(Referral r, ReviewReferral c) =>
        r.Status == ReferralStatus.Sent
            ? Decided.Accept(new ReferralReviewStarted(r.Id, r.PersonId, r.ToBodyId, c.By, c.At))
            : Refusal.IllegalTransition(r.Status, "put in review");
}

public static class ReviewReferralEndpoint
{
    public static RouteGroupBuilder MapReviewReferral(this RouteGroupBuilder group)
    {
        group.MapPost("/referrals/{id:guid}/review", Handle)
            .DescribeTransition("reviewReferral", "Start reviewing a referral",
                "The receiving body tells the sender it is looking at the referral: sent → in_review.");
        return group;
    }

    private static async Task<IResult> Handle(Guid id, SecrecyGate gate, IDocumentSession session, TimeProvider time, HttpContext http)
    {
        var (stream, problem) = await ReferralActions.FetchForActionAsync(session, gate, id, ActingParty.Receiver, http);
        if (problem is not null) return problem;
        var decided = ReviewReferralDecider.Decide(stream!.Aggregate!, new ReviewReferral(ReferralActions.ActorOf(gate.Caller), time.GetUtcNow()));
        return await ReferralActions.CommitAsync(session, http, stream, decided);
    }
}
