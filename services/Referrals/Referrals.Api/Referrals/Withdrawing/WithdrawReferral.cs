using Coordination.Secrecy.Gate;
using Coordination.ServiceDefaults.Http;
using Marten;

namespace Referrals.Api.Referrals.Withdrawing;

/// <param name="ReasonCode">person_request, need_met, sent_in_error or other.</param>
/// <param name="Note">Free text (orientation_details), at most 500 characters.</param>
public sealed record WithdrawReferralRequest(WithdrawReason? ReasonCode, string? Note = null);

public sealed record WithdrawReferral(WithdrawReason Reason, string? Note, Actor By, DateTimeOffset At);

public static class WithdrawReferralDecider
{
    public static Dictionary<string, string[]> Validate(WithdrawReferralRequest r)
    {
        var errors = new Dictionary<string, string[]>();
        if (r.ReasonCode is null) errors["reasonCode"] = ["Required."];
        ReferralActions.CheckNote(errors, r.Note);
        return errors;
    }

    public static Decided Decide(Referral r, WithdrawReferral c) =>
        r.Status is ReferralStatus.Sent or ReferralStatus.InReview or ReferralStatus.Accepted
            ? Decided.Accept(new ReferralWithdrawn(r.Id, r.PersonId, r.FromBodyId, c.Reason, c.Note, c.By, c.At))
            : Refusal.IllegalTransition(r.Status, "withdrawn");
}

public static class WithdrawReferralEndpoint
{
    public static RouteGroupBuilder MapWithdrawReferral(this RouteGroupBuilder group)
    {
        group.MapPost("/referrals/{id:guid}/withdraw", Handle)
            .DescribeTransition("withdrawReferral", "Withdraw a referral",
                "The sending body withdraws its referral, with a reason code and an optional note: sent, in_review or accepted → withdrawn.")
            .ProducesValidationProblem();
        return group;
    }

    private static async Task<IResult> Handle(Guid id, WithdrawReferralRequest request, SecrecyGate gate, IDocumentSession session, TimeProvider time,
        HttpContext http)
    {
        var errors = WithdrawReferralDecider.Validate(request);
        if (errors.Count > 0) return Problems.Invalid(errors);
        var (stream, problem) = await ReferralActions.FetchForActionAsync(session, gate, id, ActingParty.Sender, http);
        if (problem is not null) return problem;
        var command = new WithdrawReferral(request.ReasonCode!.Value, ReferralActions.Trimmed(request.Note), ReferralActions.ActorOf(gate.Caller), time.GetUtcNow());
        return await ReferralActions.CommitAsync(session, http, stream!, WithdrawReferralDecider.Decide(stream!.Aggregate!, command));
    }
}
