using Coordination.Secrecy;
using Coordination.Secrecy.Gate;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Messaging;
using Marten;
using Referrals.Api.Access;
using Referrals.Api.ContactPersons.Listing;
using Referrals.Api.Copies;
using Referrals.Api.Referrals;

namespace Referrals.Api.ContactPersons.Designating;

/// <param name="MemberId">A current member of the body.</param>
/// <param name="Reason">Why the current designation, if any, ends: handover (the default), person_request or other.</param>
public sealed record DesignateContactPersonRequest(Guid MemberId, ContactPersonEndReason? Reason = null);

/// <summary>
/// The answer to a designation: the designation the caller just made, nothing else of the person (the history
/// is read with GET contact-persons, which the access log records).
/// </summary>
public sealed record ContactPersonDesignationView(Guid PersonId, Guid BodyId, DesignationView Current, long Version);

public static class DesignateContactPersonEndpoint
{
    public static Dictionary<string, string[]> Validate(DesignateContactPersonRequest r)
    {
        var errors = new Dictionary<string, string[]>();
        if (r.MemberId == Guid.Empty) errors["memberId"] = ["Required."];
        if (r.Reason == ContactPersonEndReason.MemberLeft) errors["reason"] = ["handover, person_request or other: member_left is recorded when the member leaves the body."];
        return errors;
    }

    public static RouteGroupBuilder MapDesignateContactPerson(this RouteGroupBuilder group)
    {
        group.MapPut("/persons/{personId:guid}/contact-persons/{bodyId:guid}", Handle)
            .WithName("designateContactPerson")
            .WithSummary("Designate the body's contact person for a person")
            .WithDescription("A professional of a body involved with the person designates one of the body's current members as its " +
                "contact person (référent) for them; the current designation, if any, ends with the reason given (handover by default, " +
                "person_request or other) and the history stays. Designating the current one again changes nothing. Only for the " +
                "caller's own body (403 otherwise); a body not involved with the person gets 404, as for an unknown person. The first " +
                "designation needs no If-Match; later ones need the ETag of GET contact-persons for this body (428, 412).")
            .Produces<ContactPersonDesignationView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return group;
    }

    private static async Task<IResult> Handle(Guid personId, Guid bodyId, DesignateContactPersonRequest request, SecrecyGate gate,
        IDocumentSession session, TimeProvider time, HttpContext http)
    {
        var ct = http.RequestAborted;
        var caller = gate.Caller;
        if (caller.BodyId != bodyId) return Problems.Forbidden("A body designates its own contact persons only.");
        var errors = Validate(request);
        if (errors.Count > 0) return Problems.Invalid(errors);

        var facts = await gate.FactsAsync(personId, ct);
        if (!SecrecyRules.IsInvolved(facts, bodyId)) return Problems.NotFound();
        var member = await session.LoadAsync<MemberCopy>(request.MemberId, ct);
        if (member is null || !member.IsCurrentMemberOf(bodyId)) return Problems.Invalid("memberId", "Not a current member of this body.");

        var streamId = ContactPersonIds.Of(personId, bodyId);
        var stream = await session.Events.FetchForWriting<ContactPerson>(streamId, ct);
        if (Versions.Check(http, stream.Aggregate is null ? null : stream.CurrentVersion) is { } precondition) return precondition;

        var now = time.GetUtcNow();
        var command = new DesignateContactPerson(personId, bodyId, member.Id, member.DisplayName, request.Reason ?? ContactPersonEndReason.Handover,
            ReferralActions.ActorOf(caller), now);
        var decided = ContactPersonDecider.Designate(stream.Aggregate, command);
        if (decided.Events.Count > 0)
        {
            stream.AppendMany(decided.Events);
            await ContactPersonFacts.WriteAsync(session, decided.Events, ct);
            // Written back unchanged: if the member's departure is recorded meanwhile, this designation fails
            // (optimistic concurrency) instead of outliving their membership.
            session.Store(member);
            session.PropagateTrace();
            await session.SaveChangesAsync(ct);
        }

        var history = await session.LoadAsync<ContactPersonHistory>(streamId, ct);
        http.Response.SetETag(history!.Version);
        return TypedResults.Ok(new ContactPersonDesignationView(personId, bodyId, BodyContactView.ViewOf(history.Current!), history.Version));
    }
}

/// <summary>The contact-person involvement facts (DESIGN §4), written in the command's own transaction.</summary>
public static class ContactPersonFacts
{
    public static Task WriteAsync(IDocumentSession session, IEnumerable<object> events, CancellationToken ct) =>
        Involvements.WriteAsync(session, events.Select(e => e switch
        {
            ContactPersonDesignated d => InvolvementFact.ContactPerson(d.PersonId, d.BodyId, d.MemberId, active: true, d.At),
            ContactPersonEnded d => InvolvementFact.ContactPerson(d.PersonId, d.BodyId, d.MemberId, active: false, d.At),
            _ => null,
        }).OfType<InvolvementFact>().ToList(), ct);
}
