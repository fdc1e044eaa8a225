using Coordination.Secrecy;
using Coordination.Secrecy.Gate;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Messaging;
using Marten;
using Referrals.Api.Privacy;
using Referrals.Api.Referrals.Sending;

namespace Referrals.Api.Referrals.Redirecting;

/// <param name="ToBodyId">The body the person is referred to instead.</param>
/// <param name="ReasonCode">better_suited_body, out_of_territory, no_capacity or other.</param>
/// <param name="Note">Free text (orientation_details), at most 500 characters.</param>
/// <param name="ServiceId">Optionally, one of the new body's services.</param>
/// <param name="DueBy">The new referral's due date; the original one by default.</param>
public sealed record RedirectReferralRequest(Guid ToBodyId, RedirectReason? ReasonCode, string? Note = null, Guid? ServiceId = null,
    DateOnly? DueBy = null);

public sealed record RedirectReferral(Guid NewReferralId, Guid ToBodyId, RedirectReason Reason, string? Note, Guid? ServiceId, DateOnly DueBy,
    Actor By, DateTimeOffset At);

public static class RedirectReferralDecider
{
    public static Dictionary<string, string[]> Validate(RedirectReferralRequest r, Guid redirectingBodyId, DateOnly today)
    {
        var errors = new Dictionary<string, string[]>();
        if (r.ToBodyId == Guid.Empty) errors["toBodyId"] = ["Required."];
        else if (r.ToBodyId == redirectingBodyId) errors["toBodyId"] = ["A referral is redirected to another body than yours."];
        if (r.ReasonCode is null) errors["reasonCode"] = ["Required."];
        ReferralActions.CheckNote(errors, r.Note);
        SendReferralDecider.CheckDueBy(errors, r.DueBy, today);
        return errors;
    }

    public static RedirectReferral Command(Guid newReferralId, Referral r, RedirectReferralRequest request, Actor by, DateTimeOffset now)
    {
        var today = Clock.ParisDate(now);
        var dueBy = request.DueBy ?? (r.DueBy < today ? today : r.DueBy);
        return new(newReferralId, request.ToBodyId, request.ReasonCode!.Value, ReferralActions.Trimmed(request.Note), request.ServiceId, dueBy, by, now);
    }

    /// <summary>
    /// The referral is marked redirected and a new one goes from the redirecting body to the new body, with the
    /// same need, right, reason and urgency, and <c>previousReferralId</c> pointing back. The new receiver needs
    /// the same consent as any receiver.
    /// </summary>
    public static Decided Decide(Referral r, RedirectReferral c, PersonFacts facts)
    {
        if (!r.Status.IsOpen()) return Refusal.IllegalTransition(r.Status, "redirected");
        if (!SendReferralDecider.ReceivesOrientation(facts, c.ToBodyId, c.At)) return Refusal.ConsentRequired;
        return Decided.Accept(
            new ReferralRedirected(r.Id, r.PersonId, r.ToBodyId, c.NewReferralId, c.ToBodyId, c.Reason, c.Note, c.By, c.At),
            new ReferralSent(c.NewReferralId, r.PersonId, r.ToBodyId, c.ToBodyId, c.ServiceId, r.Need, r.TargetRight, r.Reason, r.Urgency, c.DueBy,
                r.Id, c.By, c.At));
    }
}

public static class RedirectReferralEndpoint
{
    public static RouteGroupBuilder MapRedirectReferral(this RouteGroupBuilder group)
    {
        group.MapPost("/referrals/{id:guid}/redirect", Handle)
            .DescribeTransition("redirectReferral", "Redirect a referral to another body",
                "The receiving body redirects the person to a better suited body, with a reason code: sent or in_review → redirected, " +
                "and a new referral (newReferralId in the answer, previousReferralId on it) goes from the redirecting body to toBodyId. " +
                "The new body must hold an active orientation grant for follow_up_coordination, otherwise 409 consent-required and " +
                "nothing changes. The original sender sees the chain.")
            .ProducesValidationProblem();
        return group;
    }

    private static async Task<IResult> Handle(Guid id, RedirectReferralRequest request, SecrecyGate gate, IDocumentSession session, TimeProvider time,
        HttpContext http)
    {
        var ct = http.RequestAborted;
        var caller = gate.Caller;
        var errors = RedirectReferralDecider.Validate(request, caller.BodyId!.Value, time.Today());
        if (errors.Count == 0) errors = await SendReferralDecider.CheckReceiverAsync(session, request.ToBodyId, request.ServiceId, ct);
        if (errors.Count > 0) return Problems.Invalid(errors);
        var (stream, problem) = await ReferralActions.FetchForActionAsync(session, gate, id, ActingParty.Receiver, http);
        if (problem is not null) return problem;

        var referral = stream!.Aggregate!;
        var facts = await gate.FactsAsync(referral.PersonId, ct);
        var command = RedirectReferralDecider.Command(Guid.CreateVersion7(), referral, request, ReferralActions.ActorOf(caller), time.GetUtcNow());
        var decided = RedirectReferralDecider.Decide(referral, command, facts);
        if (decided.Refused) return decided.Refusal!.ToProblem();

        var events = await ReferralsMasking.AfterErasureAsync(session, referral.PersonId, decided.Events, ct);
        var redirected = events.OfType<ReferralRedirected>().Single();
        var sent = events.OfType<ReferralSent>().Single();
        var version = stream.CurrentVersion!.Value + 1;
        stream.AppendOne(redirected);
        session.Events.StartStream<Referral>(sent.ReferralId, sent);
        await ReferralInvolvement.WriteAsync(session, events, ct);
        return await session.UpdatedAsync(http, version, new ReferralStatusView(id, ReferralStatus.Redirected, version, sent.ReferralId));
    }
}
