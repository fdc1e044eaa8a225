using Coordination.Secrecy.Gate;
using Coordination.ServiceDefaults.Http;
using Marten;

namespace Referrals.Api.Referrals.Declining;

/// <param name="ReasonCode">not_eligible, no_capacity, out_of_territory, person_declined or other.</param>
/// <param name="Note">Free text (orientation_details), at most 500 characters.</param>
public sealed record DeclineReferralRequest(DeclineReason? ReasonCode, string? Note = null);

public sealed record DeclineReferral(DeclineReason Reason, string? Note, Actor By, DateTimeOffset At);

public static class DeclineReferralDecider
{
    public static Dictionary<string, string[]> Validate(DeclineReferralRequest r)
    {
        var errors = new Dictionary<string, string[]>();
        if (r.ReasonCode is null) errors["reasonCode"] = ["Required."];
        ReferralActions.CheckNote(errors, r.Note);
        return errors;
    }

    /// <summary>A body that declines stays involved with the person for this referral only (DESIGN §4).</summary>
    public static Decided Decide(Referral r, DeclineReferral c) =>
        r.Status.IsOpen()
            ? Decided.Accept(new ReferralDeclined(r.Id, r.PersonId, r.ToBodyId, c.Reason, c.Note, c.By, c.At))
            : Refusal.IllegalTransition(r.Status, "declined");
}

public static class DeclineReferralEndpoint
{
    public static RouteGroupBuilder MapDeclineReferral(this RouteGroupBuilder group)
    {
        group.MapPost("/referrals/{id:guid}/decline", Handle)
            .DescribeTransition("declineReferral", "Decline a referral",
                "The receiving body declines, with a reason code and an optional note: sent or in_review → declined. It then stays " +
                "involved with the person for this referral only.")
            .ProducesValidationProblem();
        return group;
    }

    private static async Task<IResult> Handle(Guid id, DeclineReferralRequest request, SecrecyGate gate, IDocumentSession session, TimeProvider time,
        HttpContext http)
    {
        var errors = DeclineReferralDecider.Validate(request);
        if (errors.Count > 0) return Problems.Invalid(errors);
        var (stream, problem) = await ReferralActions.FetchForActionAsync(session, gate, id, ActingParty.Receiver, http);
        if (problem is not null) return problem;
        var command = new DeclineReferral(request.ReasonCode!.Value, ReferralActions.Trimmed(request.Note), ReferralActions.ActorOf(gate.Caller), time.GetUtcNow());
        return await ReferralActions.CommitAsync(session, http, stream!, DeclineReferralDecider.Decide(stream!.Aggregate!, command));
    }
}
