using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Directory.Api.Bodies;
using Directory.Api.Members;
using Directory.Api.PartnerContacts.GettingHistory;
using Marten;

namespace Directory.Api.PartnerContacts.Designating;

/// <summary><c>reason</c> ends the current designation: handover (the default) or other.</summary>
public sealed record DesignatePartnerContactRequest(Guid MemberId, string? Reason = null);

public static class DesignatePartnerContactEndpoint
{
    public static RouteGroupBuilder MapDesignatePartnerContact(this RouteGroupBuilder group)
    {
        group.MapPut("/bodies/{id:guid}/partner-contact", Handle)
            .RequireIfMatch()
            .WithName("designatePartnerContact")
            .WithSummary("Designate the partner contact of a body")
            .WithDescription("An active member of the body becomes its partner contact (interlocuteur privilégié); the current one's " +
                "designation ends with the reason given (handover by default, or other). Designating the current contact again changes " +
                "nothing. The body's coordinators and administrators. If-Match: the body's ETag.")
            .Produces<PartnerContactView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return group;
    }

    private static async Task<IResult> Handle(Guid id, DesignatePartnerContactRequest request, Caller caller, IDocumentSession session, HttpContext http)
    {
        if (!caller.CanManage(id)) return Access.CannotManage();
        var reason = request.Reason ?? PartnerContactDecider.Handover;
        if (!PartnerContactDecider.GivenReasons.Contains(reason)) return Problems.Invalid("reason", "handover or other.");

        var body = await session.FetchExisting<Body>(id, http.ExpectedVersion(), http.RequestAborted);
        if (body?.Aggregate is null) return Problems.NotFound();
        var member = await session.FetchExisting<Member>(request.MemberId, null, http.RequestAborted);
        if (member?.Aggregate is not { } m || m.BodyId != id || !m.Active)
            return Problems.Invalid("memberId", "Not an active member of this body.");
        // If the member leaves between our read and our commit, this designation fails instead of outliving them.
        member.AlwaysEnforceConsistency = true;

        body.AppendMany(PartnerContactDecider.Designate(body.Aggregate, request.MemberId, reason, caller.Subject).Events);
        await session.SaveAsync(http, body.CurrentVersion ?? 0);
        var history = await session.LoadAsync<PartnerContactHistory>(id, http.RequestAborted);
        return TypedResults.Ok(await PartnerContactView.Of(history!, session, caller, http.RequestAborted));
    }
}
