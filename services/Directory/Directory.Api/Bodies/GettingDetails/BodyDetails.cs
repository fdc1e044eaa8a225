using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using JasperFx.Events;
using Marten;
using Marten.Events.Aggregation;

namespace Directory.Api.Bodies.GettingDetails;

/// <summary>A body as stored for reading; <see cref="BodyView"/> is what a caller gets to see of it.</summary>
public sealed record BodyDetails(Guid Id, BodyProfile Profile, SourceRecord? Origin, DateTimeOffset RegisteredAt, DateTimeOffset UpdatedAt)
{
    public Guid? PartnerContactId { get; init; }


    public long Version { get; init; }
}

public sealed class BodyDetailsProjection : SingleStreamProjection<BodyDetails, Guid>
{
    public static BodyDetails Create(IEvent<BodyRegistered> e) => new(e.Data.BodyId, e.Data.Profile, e.Data.Origin, e.Timestamp, e.Timestamp);

    public static BodyDetails Apply(IEvent<BodyUpdated> e, BodyDetails current) => current with { Profile = e.Data.Profile, UpdatedAt = e.Timestamp };

    // Every event of the stream is applied, so that Version stays the stream's version (the ETag for PATCH).
    public static BodyDetails Apply(PartnerContactDesignated e, BodyDetails current) => current with { PartnerContactId = e.MemberId };

    public static BodyDetails Apply(PartnerContactEnded e, BodyDetails current) =>
        current.PartnerContactId == e.MemberId ? current with { PartnerContactId = null } : current;
}

public sealed record BodyView(Guid Id, string Name, string Kind, Address Address, string[] TerritoryCodes, bool Sensitive,
    string? Siret, string? Phone, string? Email, string? Website, string? OpeningHours, string? Description,
    SourceRecord? Origin, Guid? PartnerContactId, DateTimeOffset RegisteredAt, DateTimeOffset UpdatedAt, long Version, bool AddressWithheld)
{
    /// <summary>
    /// The street address of a sensitive body (a shelter, a women's rights centre) is shown to its own members
    /// only; everyone else sees its commune, which is enough to know it serves theirs.
    /// </summary>
    public static BodyView Of(BodyDetails d, Caller caller)
    {
        var p = d.Profile;
        var withheld = p.Sensitive && !caller.IsMemberOf(d.Id);
        var address = withheld ? Withhold(p.Address) : p.Address;
        return new BodyView(d.Id, p.Name, p.Kind, address, p.TerritoryCodes, p.Sensitive, p.Siret, p.Phone, p.Email, p.Website,
            p.OpeningHours, p.Description, d.Origin, d.PartnerContactId, d.RegisteredAt, d.UpdatedAt, d.Version, withheld);
    }

    public static Address Withhold(Address a) => a with { Line = null, Complement = null };
}

public static class GetBodyEndpoint
{
    public static RouteGroupBuilder MapGetBody(this RouteGroupBuilder group)
    {
        group.MapGet("/bodies/{id:guid}", Handle)
            .WithName("getBody")
            .WithSummary("Read a body")
            .WithDescription("Any professional, administrator or partner system with the directory scope. The ETag is the body's " +
                "version. The street address of a sensitive body is shown to its own members only (addressWithheld).")
            .Produces<BodyView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> Handle(Guid id, IQuerySession session, Caller caller, HttpContext http)
    {
        var body = await session.LoadAsync<BodyDetails>(id, http.RequestAborted);
        if (body is null) return Problems.NotFound();
        http.Response.SetETag(body.Version);
        return TypedResults.Ok(BodyView.Of(body, caller));
    }
}
