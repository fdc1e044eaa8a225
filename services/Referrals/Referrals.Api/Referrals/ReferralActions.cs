using Coordination.Secrecy;
using Coordination.Secrecy.Gate;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Messaging;
using Coordination.ServiceDefaults.Security;
using Marten;
using JasperFx.Events;
using Referrals.Api.Privacy;
using Referrals.Api.Referrals.GettingDetails;

namespace Referrals.Api.Referrals;

/// <summary>Which side of a referral acts: the receiving body reviews, accepts, declines, redirects and closes; the sending body withdraws.</summary>
public enum ActingParty { Receiver, Sender }

/// <summary>The answer to a transition: no person data, only where the referral now stands (the ETag is its version).</summary>
public sealed record ReferralStatusView(Guid Id, ReferralStatus Status, long Version, Guid? NewReferralId = null);

public static class ReferralActions
{
    /// <summary>Roles that may see orientations (DESIGN §4) send and handle referrals; peer workers and volunteers do not.</summary>
    public static bool MayHandleReferrals(Caller caller) =>
        caller.IsProfessional && RoleCategories.For(caller.Role).Contains(Categories.Orientation);

    public static IResult RoleMayNotHandleReferrals() =>
        Problems.Forbidden("Only professionals whose role may see orientations send and handle referrals.");

    public static Actor ActorOf(Caller caller) => new(caller.Subject, caller.DisplayName ?? caller.Subject, caller.BodyId!.Value);

    /// <summary>
    /// The referral's stream for a transition by <paramref name="party"/>, at the If-Match version. A caller who
    /// may not see the referral gets the 404 of an unknown id; one who may see it (a party to it, or a reader
    /// under §4) but whose action this is not gets 403. A party keeps acting after a revocation: that is what
    /// its stub is for.
    /// </summary>
    public static async Task<(IEventStream<Referral>? Stream, IResult? Problem)> FetchForActionAsync(IDocumentSession session, SecrecyGate gate,
        Guid id, ActingParty party, HttpContext http)
    {
        var ct = http.RequestAborted;
        var details = await session.LoadAsync<ReferralDetails>(id, ct);
        if (details is null) return (null, Problems.NotFound());
        var caller = gate.Caller;
        var actingBody = party == ActingParty.Receiver ? details.ToBodyId : details.FromBodyId;
        if (caller.BodyId != actingBody || !MayHandleReferrals(caller))
        {
            if (!await MaySeeAsync(gate, details, ct)) return (null, Problems.NotFound());
            return (null, Problems.Forbidden(party == ActingParty.Receiver
                ? "Only the receiving body's professionals handle this referral."
                : "Only the sending body's professionals withdraw this referral."));
        }
        var expected = http.ExpectedVersion();
        var stream = await session.Events.FetchForWriting<Referral>(id, ct);
        // Checked before deciding, so that a stale client learns it read an old version (412) rather than a 409.
        if (stream.Aggregate is null) return (null, Problems.NotFound());
        if (stream.CurrentVersion != expected) return (null, Stale());
        return (stream, null);
    }

    private static async Task<bool> MaySeeAsync(SecrecyGate gate, ReferralDetails r, CancellationToken ct)
    {
        if (gate.Caller.BodyId is { } body && (body == r.FromBodyId || body == r.ToBodyId)) return true;
        var facts = await gate.FactsAsync(r.PersonId, ct);
        return gate.Decide(facts, Categories.Orientation, Item.Referral(r.Id, r.FromBodyId, r.ToBodyId)).Allowed;
    }

    public static IResult Stale() => Problems.Problem(StatusCodes.Status412PreconditionFailed, "precondition-failed",
        "The resource changed since you read it", "Read it again and retry with its current ETag.");

    /// <summary>Appends what was decided on the referral's stream with its involvement facts, commits, and answers the new status.</summary>
    public static async Task<IResult> CommitAsync(IDocumentSession session, HttpContext http, IEventStream<Referral> stream, Decided decided)
    {
        if (decided.Refused) return decided.Refusal!.ToProblem();
        var events = await ReferralsMasking.AfterErasureAsync(session, stream.Aggregate!.PersonId, decided.Events, http.RequestAborted);
        var version = stream.CurrentVersion!.Value + events.Count;
        var status = events.Aggregate(stream.Aggregate!, Apply).Status;
        stream.AppendMany(events);
        await ReferralInvolvement.WriteAsync(session, events, http.RequestAborted);
        return await session.UpdatedAsync(http, version, new ReferralStatusView(stream.Id, status, version));
    }

    public static Referral Apply(Referral r, object e) => e switch
    {
        ReferralReviewStarted x => r.Apply(x),
        ReferralAccepted x => r.Apply(x),
        ReferralDeclined x => r.Apply(x),
        ReferralRedirected x => r.Apply(x),
        ReferralClosed x => r.Apply(x),
        ReferralWithdrawn x => r.Apply(x),
        ReferralExpired x => r.Apply(x),
        _ => r,
    };

    /// <summary>The OpenAPI answers every transition shares.</summary>
    public static RouteHandlerBuilder DescribeTransition(this RouteHandlerBuilder endpoint, string operationId, string summary, string description) =>
        endpoint
            .RequireIfMatch()
            .WithName(operationId)
            .WithSummary(summary)
            .WithDescription(description + " If-Match: the referral's ETag. An illegal transition is a 409 whose Problem Details give " +
                "the referral's currentStatus. A caller who may not see the referral gets 404; one who may see it but whose action " +
                "this is not gets 403.")
            .Produces<ReferralStatusView>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    /// <summary>Free-text notes (orientation_details) are short.</summary>
    public const int NoteMaxLength = 500;

    public static void CheckNote(Dictionary<string, string[]> errors, string? note)
    {
        if (note is not null && note.Length > NoteMaxLength) errors["note"] = [$"At most {NoteMaxLength} characters."];
    }

    public static string? Trimmed(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
