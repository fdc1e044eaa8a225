using Consents.Api.Access;
using Consents.Api.Copies;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Http;
using Marten;
using Marten.Events.Aggregation;

namespace Consents.Api.Consents.Listing;

/// <summary>One entry of the ledger with its whole history. <see cref="Open"/> is false once revoked or expired by the job.</summary>
public sealed record ConsentDetails(Guid Id, Guid PersonId, Guid BodyId, string[] Categories, string Purpose, DateTimeOffset ValidFrom,
    DateTimeOffset ValidUntil, ConsentGiver GivenBy, ConsentCollection Collection, Actor RecordedBy, DateTimeOffset? RevokedAt,
    RevokedBy? RevokedBy, string? RevocationReason, Actor? RevocationRecordedBy, DateTimeOffset? ExpiredAt, bool Open)
{
    public long Version { get; init; }

    public ConsentStatus StatusAt(DateTimeOffset now) => ConsentStates.StatusAt(RevokedAt, ExpiredAt, ValidUntil, now);
}

public sealed class ConsentDetailsProjection : SingleStreamProjection<ConsentDetails, Guid>
{
    public static ConsentDetails Create(ConsentGranted e) =>
        new(e.ConsentId, e.PersonId, e.BodyId, e.Categories, e.Purpose, e.ValidFrom, e.ValidUntil, e.GivenBy, e.Collection, e.RecordedBy,
            null, null, null, null, null, Open: true);

    public static ConsentDetails Apply(ConsentRevoked e, ConsentDetails c) =>
        c with { RevokedAt = e.RevokedAt, RevokedBy = e.RevokedBy, RevocationReason = e.Reason, RevocationRecordedBy = e.RecordedBy, Open = false };

    public static ConsentDetails Apply(ConsentExpired e, ConsentDetails c) => c with { ExpiredAt = e.ExpiredAt, Open = false };
}

public sealed record RevocationView(DateTimeOffset At, RevokedBy By, ActorView RecordedBy, string? Reason);

/// <summary>
/// A consent as the API shows it. The revocation reason is the person's own words: only the person sees it.
/// <see cref="Version"/> goes back in If-Match to revoke.
/// </summary>
public sealed record ConsentView(Guid Id, Guid PersonId, BodyRef Body, string[] Categories, string Purpose, DateTimeOffset ValidFrom,
    DateTimeOffset ValidUntil, ConsentStatus Status, ConsentGiver GivenBy, ConsentCollection Collection, ActorView RecordedBy,
    RevocationView? Revocation, DateTimeOffset? ExpiredAt, long Version)
{
    public static ConsentView Of(ConsentDetails c, IReadOnlyDictionary<Guid, BodyCopy> bodies, DateTimeOffset now, bool withReason)
    {
        var status = c.StatusAt(now);
        return new(c.Id, c.PersonId, BodyRef.Of(c.BodyId, bodies), c.Categories, c.Purpose, c.ValidFrom, c.ValidUntil, status, c.GivenBy,
            c.Collection, ActorView.Of(c.RecordedBy, bodies),
            c.RevokedAt is { } at ? new RevocationView(at, c.RevokedBy!.Value, ActorView.Of(c.RevocationRecordedBy!, bodies), withReason ? c.RevocationReason : null) : null,
            status == ConsentStatus.Expired ? c.ExpiredAt ?? c.ValidUntil : null, c.Version);
    }

    public static IEnumerable<Guid> BodiesOf(ConsentDetails c) =>
        new[] { c.BodyId, c.RecordedBy.BodyId, c.RevocationRecordedBy?.BodyId }.Where(b => b is not null).Select(b => b!.Value);

    public static async Task<IReadOnlyList<ConsentView>> LoadAsync(IQuerySession session, IReadOnlyList<ConsentDetails> consents,
        DateTimeOffset now, bool withReason, CancellationToken ct)
    {
        var bodies = await BodyNames.LoadAsync(session, consents.SelectMany(BodiesOf), ct);
        return consents.Select(c => Of(c, bodies, now, withReason)).ToList();
    }
}

public static class ListConsentsEndpoint
{
    public static RouteGroupBuilder MapListConsents(this RouteGroupBuilder group)
    {
        group.MapGet("/persons/{id:guid}/consents", List)
            .WithName("listConsents")
            .WithSummary("List a person's consents (the ledger)")
            .WithDescription("Every grant — active, expired, revoked — newest first. Readable by the person, and by a professional of an " +
                "involved body that holds an active grant of the person (the read is in the person's access log). A professional does not " +
                "see grants to a sensitive body other than their own.")
            .Produces<IReadOnlyList<ConsentView>>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/persons/{id:guid}/consents/{consentId:guid}", Get)
            .WithName("getConsent")
            .WithSummary("Read one consent")
            .WithDescription("Same readers as the ledger. The ETag is the consent's version, to send in If-Match when revoking.")
            .Produces<ConsentView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> List(Guid id, PersonAccess access, IDocumentSession session, HttpContext http)
    {
        var check = await access.ReadLedgerAsync(id, http.RequestAborted);
        if (check.Problem is { } problem) return problem;
        var admission = check.Admitted!;
        var consents = await session.Query<ConsentDetails>().Where(c => c.PersonId == id).ToListAsync(http.RequestAborted);
        var visible = consents.Where(c => access.MayNameBody(admission, c.BodyId)).OrderByDescending(c => c.ValidFrom).ThenByDescending(c => c.Id).ToList();
        var views = await ConsentView.LoadAsync(session, visible, access.Now, admission.IsSelf, http.RequestAborted);
        await access.RecordReadAsync(admission, [], [], http.RequestAborted);
        return TypedResults.Ok(views);
    }

    private static async Task<IResult> Get(Guid id, Guid consentId, PersonAccess access, IDocumentSession session, HttpContext http)
    {
        var check = await access.ReadLedgerAsync(id, http.RequestAborted);
        if (check.Problem is { } problem) return problem;
        var admission = check.Admitted!;
        var consent = await session.LoadAsync<ConsentDetails>(consentId, http.RequestAborted);
        // A grant the reader may not see (another person's, or to a sensitive body) is a denied read of this person's
        // record: logged like any other, answered as an unknown id.
        if (consent is null || consent.PersonId != id || !access.MayNameBody(admission, consent.BodyId))
            return await access.RefuseAsync(id, [], http.RequestAborted);
        var view = (await ConsentView.LoadAsync(session, [consent], access.Now, admission.IsSelf, http.RequestAborted))[0];
        await access.RecordReadAsync(admission, [], [], http.RequestAborted);
        http.Response.SetETag(consent.Version);
        return TypedResults.Ok(view);
    }
}
