using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Directory.Api.Bodies;
using Directory.Api.Formats;
using Directory.Api.Members.Listing;
using Directory.Api.PartnerContacts;
using Marten;

namespace Directory.Api.Members.Leaving;

public sealed record RemoveMember(Guid MemberId, Guid BodyId, DateOnly On, string RemovedBy);

public static class RemoveMemberDecider
{
    public static Decision Decide(Member member, RemoveMember command) =>
        !member.Active
            ? Decision.Refuse("member-already-left", "This membership has already ended.")
            : Decision.Accept(new MemberLeft(member.Id, member.BodyId, member.Email, command.On, command.RemovedBy));
}

public static class RemoveMemberEndpoint
{
    public static RouteGroupBuilder MapRemoveMember(this RouteGroupBuilder group)
    {
        group.MapDelete("/bodies/{id:guid}/members/{memberId:guid}", Handle)
            .RequireIfMatch()
            .WithName("removeMember")
            .WithSummary("End a membership")
            .WithDescription("The member leaves the body today; if they were its partner contact, that designation ends with reason " +
                "member_left. Identity revokes their refresh tokens. The body's coordinators and administrators. If-Match: the member's ETag.")
            .Produces<MemberView>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static async Task<IResult> Handle(Guid id, Guid memberId, Caller caller, IDocumentSession session, TimeProvider time, HttpContext http)
    {
        if (!caller.CanManage(id)) return Access.CannotManage();
        var stream = await session.FetchExisting<Member>(memberId, http.ExpectedVersion(), http.RequestAborted);
        if (stream?.Aggregate is not { } member || member.BodyId != id) return Problems.NotFound();

        var decision = RemoveMemberDecider.Decide(member, new RemoveMember(memberId, id, time.Today(), caller.Subject));
        if (decision.Refused) return Problems.Conflict(decision.ConflictCode!, decision.ConflictTitle!);
        stream.AppendMany(decision.Events);
        session.Delete<ActiveMembership>(member.Email);

        var body = await session.Events.FetchForWriting<Body>(id, http.RequestAborted);
        // A designation of this member committed after our read would otherwise outlive the membership.
        body.AlwaysEnforceConsistency = true;
        body.AppendMany(PartnerContactDecider.OnMemberLeft(body.Aggregate!, memberId, caller.Subject).Events);

        await session.SaveAsync(http, stream.CurrentVersion ?? 0);
        var details = await session.LoadAsync<MemberDetails>(memberId, http.RequestAborted);
        return TypedResults.Ok(MemberView.Of(details!, caller));
    }
}
