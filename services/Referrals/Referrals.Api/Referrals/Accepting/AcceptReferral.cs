using Coordination.Secrecy.Gate;
using Coordination.ServiceDefaults.Http;
using Marten;

namespace Referrals.Api.Referrals.Accepting;

/// <param name="Note">Free text for the sender (orientation_details), at most 500 characters.</param>
public sealed record AcceptReferralRequest(string? Note = null);

public sealed record AcceptReferral(string? Note, Actor By, DateTimeOffset At);

public static class AcceptReferralDecider
{
    public static Decided Decide(Referral r, AcceptReferral c) =>
        r.Status.IsOpen()
            ? Decided.Accept(new ReferralAccepted(r.Id, r.PersonId, r.ToBodyId, c.Note, c.By, c.At))
            : Refusal.IllegalTransition(r.Status, "accepted");
}

public static class AcceptReferralEndpoint
{
    public static RouteGroupBuilder MapAcceptReferral(this RouteGroupBuilder group)
    {
        group.MapPost("/referrals/{id:guid}/accept", Handle)
            .DescribeTransition("acceptReferral", "Accept a referral",
                "The receiving body takes the person on: sent or in_review → accepted. The body is optional.")
            .ProducesValidationProblem();
        return group;
    }

    private static async Task<IResult> Handle(Guid id, AcceptReferralRequest? request, SecrecyGate gate, IDocumentSession session, TimeProvider time,
        HttpContext http)
    {
        var errors = new Dictionary<string, string[]>();
        ReferralActions.CheckNote(errors, request?.Note);
        if (errors.Count > 0) return Problems.Invalid(errors);
        var (stream, problem) = await ReferralActions.FetchForActionAsync(session, gate, id, ActingParty.Receiver, http);
        if (problem is not null) return problem;
        var command = new AcceptReferral(ReferralActions.Trimmed(request?.Note), ReferralActions.ActorOf(gate.Caller), time.GetUtcNow());
        return await ReferralActions.CommitAsync(session, http, stream!, AcceptReferralDecider.Decide(stream!.Aggregate!, command));
    }
}
