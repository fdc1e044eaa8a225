using Coordination.Secrecy;
using Coordination.Secrecy.Gate;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Http;
using Marten;
using Marten.Services.BatchQuerying;
using Referrals.Api.Access;
using Referrals.Api.Copies;
using Referrals.Api.Referrals.Needs;

namespace Referrals.Api.Referrals.Sending;

/// <param name="Need">A data·inclusion thematique.</param>
/// <param name="Reason">Free text (orientation_details), at most 2000 characters.</param>
/// <param name="DueBy">The answer is expected by this day; 30 days from today by default, 8 when urgent.</param>
public sealed record SendReferralRequest(Guid PersonId, Guid ToBodyId, string Need, Guid? ServiceId = null, TargetRight? TargetRight = null,
    string? Reason = null, Urgency? Urgency = null, DateOnly? DueBy = null);

public sealed record SendReferral(Guid ReferralId, Guid PersonId, Guid FromBodyId, Guid ToBodyId, Guid? ServiceId, string Need,
    TargetRight? TargetRight, string? Reason, Urgency Urgency, DateOnly DueBy, Guid? PreviousReferralId, Actor By, DateTimeOffset At);

public sealed record ReferralCreated(Guid Id, ReferralStatus Status, long Version);

public static class SendReferralDecider
{
    public const int ReasonMaxLength = 2000;
    public const int DefaultDays = 30;
    public const int UrgentDays = 8;
    public const int LongestDays = 365;

    public static Dictionary<string, string[]> Validate(SendReferralRequest r, Guid fromBodyId, DateOnly today)
    {
        var errors = new Dictionary<string, string[]>();
        if (r.PersonId == Guid.Empty) errors["personId"] = ["Required."];
        if (r.ToBodyId == Guid.Empty) errors["toBodyId"] = ["Required."];
        else if (r.ToBodyId == fromBodyId) errors["toBodyId"] = ["A referral goes to another body than yours."];
        if (string.IsNullOrWhiteSpace(r.Need)) errors["need"] = ["Required."];
        else if (!Thematiques.IsKnown(r.Need)) errors["need"] = ["A data·inclusion thematique, e.g. difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits."];
        if (r.Reason is { Length: > ReasonMaxLength }) errors["reason"] = [$"At most {ReasonMaxLength} characters."];
        CheckDueBy(errors, r.DueBy, today);
        return errors;
    }

    public static void CheckDueBy(Dictionary<string, string[]> errors, DateOnly? dueBy, DateOnly today)
    {
        if (dueBy is { } due && (due < today || due > today.AddDays(LongestDays))) errors["dueBy"] = [$"From today to {LongestDays} days ahead."];
    }

    public static SendReferral Command(Guid referralId, SendReferralRequest r, Actor by, DateTimeOffset now)
    {
        var urgency = r.Urgency ?? Urgency.Normal;
        var dueBy = r.DueBy ?? Clock.ParisDate(now).AddDays(urgency == Urgency.Urgent ? UrgentDays : DefaultDays);
        return new(referralId, r.PersonId, by.BodyId, r.ToBodyId, r.ServiceId, r.Need, r.TargetRight, ReferralActions.Trimmed(r.Reason), urgency,
            dueBy, null, by, now);
    }

    /// <summary>
    /// The receiving body must hold an active grant of the person that includes orientation for follow-up
    /// coordination; otherwise nothing is sent. (That the sender is involved is checked before: it decides
    /// whether the person exists for the caller at all.)
    /// </summary>
    public static Decided Decide(SendReferral c, PersonFacts facts) =>
        !ReceivesOrientation(facts, c.ToBodyId, c.At)
            ? Refusal.ConsentRequired
            : Decided.Accept(new ReferralSent(c.ReferralId, c.PersonId, c.FromBodyId, c.ToBodyId, c.ServiceId, c.Need, c.TargetRight, c.Reason,
                c.Urgency, c.DueBy, c.PreviousReferralId, c.By, c.At));

    public static bool ReceivesOrientation(PersonFacts facts, Guid bodyId, DateTimeOffset now) =>
        facts.Grants.Any(g => g.BodyId == bodyId && g.Purpose == Purposes.FollowUpCoordination && g.IsActiveAt(now) && g.Opens(Categories.Orientation));

    /// <summary>The receiving body must be in the directory, and a service named must be one of its services.</summary>
    public static async Task<Dictionary<string, string[]>> CheckReceiverAsync(IQuerySession session, Guid toBodyId, Guid? serviceId, CancellationToken ct)
    {
        var batch = session.CreateBatchQuery();
        var errors = QueueReceiverCheck(batch, toBodyId, serviceId);
        await batch.Execute(ct);
        return await errors;
    }

    /// <summary><see cref="CheckReceiverAsync"/> queued on the caller's batch: its answer once the batch has run.</summary>
    public static Task<Dictionary<string, string[]>> QueueReceiverCheck(IBatchedQuery batch, Guid toBodyId, Guid? serviceId)
    {
        var body = batch.Load<BodyCopy>(toBodyId);
        var service = serviceId is { } id ? batch.Load<ServiceCopy>(id) : Task.FromResult<ServiceCopy?>(null);
        return Checked();

        async Task<Dictionary<string, string[]>> Checked()
        {
            var errors = new Dictionary<string, string[]>();
            if (await body is null) errors["toBodyId"] = ["No body with this id in the directory."];
            else if (serviceId is not null && (await service)?.BodyId != toBodyId) errors["serviceId"] = ["Not a service of the receiving body."];
            return errors;
        }
    }
}

public static class SendReferralEndpoint
{
    public static RouteGroupBuilder MapSendReferral(this RouteGroupBuilder group)
    {
        group.MapPost("/referrals", Handle)
            .AcceptsIdempotencyKey()
            .WithName("sendReferral")
            .WithSummary("Refer a person to another body")
            .WithDescription("A professional of a body involved with the person refers them to another body (optionally one of its " +
                "services) for a need (a data·inclusion thematique), naming the right aimed at where known, a reason (orientation_details), " +
                "an urgency and a due date. The receiving body must hold an active grant of the person including orientation for " +
                "follow_up_coordination, otherwise 409 consent-required and nothing is sent. A sender not involved with the person gets " +
                "404, as for an unknown person. Peer workers and volunteers do not refer (403). Accepts an Idempotency-Key header.")
            .Produces<ReferralCreated>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return group;
    }

    private static async Task<IResult> Handle(SendReferralRequest request, SecrecyGate gate, IDocumentSession session, TimeProvider time, HttpContext http)
    {
        var caller = gate.Caller;
        if (!ReferralActions.MayHandleReferrals(caller)) return ReferralActions.RoleMayNotHandleReferrals();
        var ct = http.RequestAborted;
        var errors = SendReferralDecider.Validate(request, caller.BodyId!.Value, time.Today());
        if (errors.Count > 0) return Problems.Invalid(errors);

        // One round trip for the receiver and the person's secrecy facts (ADR 0083), with the one involvement record that
        // says whether the sender is involved rather than the person's whole involvement history (ADR 0085).
        var batch = session.CreateBatchQuery();
        var receiverErrors = SendReferralDecider.QueueReceiverCheck(batch, request.ToBodyId, request.ServiceId);
        var pending = FactsLoader.QueueInvolvementOf(batch, request.PersonId, caller.BodyId.Value);
        await batch.Execute(ct);
        if ((errors = await receiverErrors).Count > 0) return Problems.Invalid(errors);

        var facts = await pending.For(request.PersonId);
        if (!SecrecyRules.IsInvolved(facts, caller.BodyId.Value)) return Problems.NotFound();

        var command = SendReferralDecider.Command(Guid.CreateVersion7(), request, ReferralActions.ActorOf(caller), time.GetUtcNow());
        var decided = SendReferralDecider.Decide(command, facts);
        if (decided.Refused) return decided.Refusal!.ToProblem();

        session.Events.StartStream<Referral>(command.ReferralId, [.. decided.Events]);
        // The records these events establish are keyed by the new referral's id, made above: none of them exists yet.
        Involvements.Merge(session, ReferralInvolvement.FactsOf(decided.Events), []);
        return await session.CreatedAsync(http, $"/referrals/{command.ReferralId}", new ReferralCreated(command.ReferralId, ReferralStatus.Sent, 1), version: 1);
    }
}
