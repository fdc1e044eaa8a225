using Coordination.Secrecy.Gate;
using Coordination.ServiceDefaults.Http;
using Marten;

namespace Referrals.Api.Referrals.Closing;

/// <param name="Outcome">right_opened, not_eligible, person_unreachable, abandoned or other.</param>
/// <param name="TargetRight">The right the outcome is about; the referral's target right by default.</param>
/// <param name="Note">Free text (orientation_details), at most 500 characters.</param>
public sealed record CloseReferralRequest(ClosingOutcome? Outcome, TargetRight? TargetRight = null, string? Note = null);

public sealed record CloseReferral(ClosingOutcome Outcome, TargetRight? TargetRight, string? Note, Actor By, DateTimeOffset At);

public static class CloseReferralDecider
{
    public static Dictionary<string, string[]> Validate(CloseReferralRequest r)
    {
        var errors = new Dictionary<string, string[]>();
        if (r.Outcome is null) errors["outcome"] = ["Required."];
        ReferralActions.CheckNote(errors, r.Note);
        return errors;
    }

    public static Decided Decide(Referral r, CloseReferral c) =>
        r.Status == ReferralStatus.Accepted
            ? Decided.Accept(new ReferralClosed(r.Id, r.PersonId, r.ToBodyId, c.Outcome, c.TargetRight ?? r.TargetRight, c.Note, c.By, c.At))
            : Refusal.IllegalTransition(r.Status, "closed");
}

public static class CloseReferralEndpoint
{
    public static RouteGroupBuilder MapCloseReferral(this RouteGroupBuilder group)
    {
        group.MapPost("/referrals/{id:guid}/close", Handle)
            .DescribeTransition("closeReferral", "Close a referral with its outcome",
                "The receiving body records the outcome (right_opened, not_eligible, person_unreachable, abandoned, other) and the right " +
                "it concerns: accepted → closed. Closed referrals feed the rights-opened statistics.")
            .ProducesValidationProblem();
        return group;
    }

    private static async Task<IResult> Handle(Guid id, CloseReferralRequest request, SecrecyGate gate, IDocumentSession session, TimeProvider time,
        HttpContext http)
    {
        var errors = CloseReferralDecider.Validate(request);
        if (errors.Count > 0) return Problems.Invalid(errors);
        var (stream, problem) = await ReferralActions.FetchForActionAsync(session, gate, id, ActingParty.Receiver, http);
        if (problem is not null) return problem;
        var command = new CloseReferral(request.Outcome!.Value, request.TargetRight, ReferralActions.Trimmed(request.Note),
            ReferralActions.ActorOf(gate.Caller), time.GetUtcNow());
        return await ReferralActions.CommitAsync(session, http, stream!, CloseReferralDecider.Decide(stream!.Aggregate!, command));
    }
}
