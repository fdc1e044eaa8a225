using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Directory.Api.Bodies;
using Directory.Api.Members.Listing;
using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;

namespace Directory.Api.PartnerContacts.GettingHistory;

public sealed record Designation(Guid MemberId, DateTimeOffset From, DateTimeOffset? Until, string? EndReason);

/// <summary>The dated designations of a body's partner contact, newest last; at most the last one is open.</summary>
public sealed record PartnerContactHistory(Guid Id, IReadOnlyList<Designation> Designations)
{
    public long Version { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public Designation? Current => Designations.Count > 0 && Designations[^1].Until is null ? Designations[^1] : null;

    public static PartnerContactHistory Start(Guid bodyId) => new(bodyId, []);

    public PartnerContactHistory Designated(Guid memberId, DateTimeOffset at) =>
        this with { Designations = [.. Designations, new Designation(memberId, at, null, null)] };

    public PartnerContactHistory Ended(Guid memberId, string reason, DateTimeOffset at) => this with
    {
        Designations = Designations.Select(d => d.MemberId == memberId && d.Until is null ? d with { Until = at, EndReason = reason } : d).ToList(),
    };
}

public sealed class PartnerContactHistoryProjection : SingleStreamProjection<PartnerContactHistory, Guid>
{
    public static PartnerContactHistory Create(BodyRegistered e) => PartnerContactHistory.Start(e.BodyId);

    // Applied so that Version stays the body stream's version, the ETag of PUT partner-contact.
    public static PartnerContactHistory Apply(BodyUpdated e, PartnerContactHistory h) => h;

    public static PartnerContactHistory Apply(IEvent<PartnerContactDesignated> e, PartnerContactHistory h) => h.Designated(e.Data.MemberId, e.Timestamp);

    public static PartnerContactHistory Apply(IEvent<PartnerContactEnded> e, PartnerContactHistory h) => h.Ended(e.Data.MemberId, e.Data.Reason, e.Timestamp);
}

public sealed record DesignationView(Guid MemberId, string DisplayName, string Role, DateTimeOffset From, DateTimeOffset? Until,
    string? EndReason, string? Email, string? Phone);

public sealed record PartnerContactView(Guid BodyId, DesignationView? Current, IReadOnlyList<DesignationView> History, long Version)
{
    /// <summary>Contact details (email, phone) of the designated members go to professionals only.</summary>
    public static async Task<PartnerContactView> Of(PartnerContactHistory h, IQuerySession session, Caller caller, CancellationToken ct)
    {
        var members = (await session.LoadManyAsync<MemberDetails>(ct, h.Designations.Select(d => d.MemberId).Distinct()))
            .ToDictionary(m => m.Id);
        var history = h.Designations.Select(d =>
        {
            var m = members.GetValueOrDefault(d.MemberId);
            return new DesignationView(d.MemberId, m?.DisplayName ?? "", m?.Role ?? "", d.From, d.Until, d.EndReason,
                caller.IsProfessional ? m?.Email : null, caller.IsProfessional ? m?.Phone : null);
        }).ToList();
        var current = h.Current is not null ? history[^1] : null;
        return new PartnerContactView(h.Id, current, history, h.Version);
    }
}

public static class GetPartnerContactHistoryEndpoint
{
    public static RouteGroupBuilder MapGetPartnerContactHistory(this RouteGroupBuilder group)
    {
        group.MapGet("/bodies/{id:guid}/partner-contact/history", Handle)
            .WithName("getPartnerContactHistory")
            .WithSummary("Read the partner contact of a body and its history")
            .WithDescription("The current designated partner contact (interlocuteur privilégié) and every earlier designation with " +
                "its dates and end reason (handover, other, member_left). Email and phone are shown to professionals only. The ETag " +
                "is the body's version, for PUT partner-contact.")
            .Produces<PartnerContactView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> Handle(Guid id, IQuerySession session, Caller caller, HttpContext http)
    {
        var history = await session.LoadAsync<PartnerContactHistory>(id, http.RequestAborted);
        if (history is null) return Problems.NotFound();
        http.Response.SetETag(history.Version);
        return TypedResults.Ok(await PartnerContactView.Of(history, session, caller, http.RequestAborted));
    }
}
