using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Directory.Api.Bodies;
using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;
using Marten.Linq;

namespace Directory.Api.Members.Listing;

public sealed record MemberDetails(Guid Id, Guid BodyId, string Email, string DisplayName, string Role, string? Phone, DateOnly From,
    DateOnly? Until, DateTimeOffset JoinedAt)
{
    public long Version { get; init; }

    public bool Active => Until is null;
}

public sealed class MemberDetailsProjection : SingleStreamProjection<MemberDetails, Guid>
{
    public static MemberDetails Create(IEvent<MemberJoined> e) =>
        new(e.Data.MemberId, e.Data.BodyId, e.Data.Email, e.Data.DisplayName, e.Data.Role, e.Data.Phone, e.Data.From, null, e.Timestamp);

    public static MemberDetails Apply(MemberLeft e, MemberDetails m) => m with { Until = e.On };
}

/// <summary>A member as a caller sees them: direct contact details (email, phone) go to professionals only.</summary>
public sealed record MemberView(Guid Id, Guid BodyId, string DisplayName, string Role, DateOnly From, DateOnly? Until, bool Active,
    string? Email, string? Phone, long Version)
{
    public static MemberView Of(MemberDetails m, Caller caller) =>
        new(m.Id, m.BodyId, m.DisplayName, m.Role, m.From, m.Until, m.Active,
            caller.IsProfessional ? m.Email : null, caller.IsProfessional ? m.Phone : null, m.Version);
}

public static class ListMembersEndpoints
{
    public static RouteGroupBuilder MapListMembers(this RouteGroupBuilder group)
    {
        group.MapGet("/bodies/{id:guid}/members", List)
            .WithName("listMembers")
            .WithSummary("List the members of a body")
            .WithDescription("Active members (and former ones with includeFormer=true), paged by display name. Email and phone are " +
                "shown to professionals only. Each item carries its version, the ETag to end the membership with.")
            .Produces<PageOf<MemberView>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/bodies/{id:guid}/members/{memberId:guid}", GetOne)
            .WithName("getMember")
            .WithSummary("Read a member of a body")
            .WithDescription("Email and phone are shown to professionals only. The ETag is the membership's version.")
            .Produces<MemberView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> List(Guid id, bool? includeFormer, int? page, int? pageSize, IQuerySession session, Caller caller, HttpContext http)
    {
        if (!Paging.TryCreate(page, pageSize, out var paging, out var problem)) return problem!;
        if (!await session.Exists<Body>(id, http.RequestAborted)) return Problems.NotFound();
        var query = session.Query<MemberDetails>().Where(m => m.BodyId == id);
        if (includeFormer != true) query = query.Where(m => m.Until == null);
        var members = await query.Stats(out var stats).OrderBy(m => m.DisplayName).ThenBy(m => m.Id)
            .Skip(paging.Skip).Take(paging.PageSize).ToListAsync(http.RequestAborted);
        return TypedResults.Ok(new PageOf<MemberView>(members.Select(m => MemberView.Of(m, caller)).ToList(), paging.Page, paging.PageSize, stats.TotalResults));
    }

    private static async Task<IResult> GetOne(Guid id, Guid memberId, IQuerySession session, Caller caller, HttpContext http)
    {
        var member = await session.LoadAsync<MemberDetails>(memberId, http.RequestAborted);
        if (member is null || member.BodyId != id) return Problems.NotFound();
        http.Response.SetETag(member.Version);
        return TypedResults.Ok(MemberView.Of(member, caller));
    }
}
