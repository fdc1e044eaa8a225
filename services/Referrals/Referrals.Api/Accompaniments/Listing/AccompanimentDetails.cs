using Coordination.Secrecy;
using Coordination.Secrecy.Gate;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Messaging;
using Marten;
using Marten.Events.Aggregation;
using Referrals.Api.Access;
using Referrals.Api.Copies;
using Referrals.Api.Referrals.GettingDetails;

namespace Referrals.Api.Accompaniments.Listing;

public sealed record AccompanimentDetails(Guid Id, Guid PersonId, AccompanimentAuthor Author, AccompanimentKind Kind, DateOnly On, Guid? BodyId,
    string? BodyName, string? Note, bool Hidden, DateTimeOffset LoggedAt, DateTimeOffset? HiddenAt)
{
    public long Version { get; init; }
}

public sealed class AccompanimentDetailsProjection : SingleStreamProjection<AccompanimentDetails, Guid>
{
    public static AccompanimentDetails Create(AccompanimentLogged e) =>
        new(e.AccompanimentId, e.PersonId, e.Author, e.Kind, e.On, e.BodyId, e.BodyName, e.Note, false, e.At, null);

    public static AccompanimentDetails Apply(AccompanimentHidden e, AccompanimentDetails a) => a with { Hidden = true, HiddenAt = e.At };
}

/// <summary>
/// Who logged an entry. A companion's name is companion data: a reader who may not see the person's
/// companions gets <see cref="Companion"/> true and no name.
/// </summary>
public sealed record AuthorView(string? Name, BodyRef? Body, bool Companion);

/// <summary>An entry of the accompaniment log. <see cref="Hidden"/> is only ever true in the person's own view.</summary>
public sealed record AccompanimentView(Guid Id, AccompanimentKind Kind, DateOnly On, BodyRef? Body, string? Note, AuthorView Author,
    DateTimeOffset LoggedAt, bool Hidden, long Version)
{
    public static AccompanimentView Of(AccompanimentDetails a, IReadOnlyDictionary<Guid, string> bodyNames, bool companionNames)
    {
        var companion = a.Author.CompanionId is not null;
        var author = new AuthorView(companion && !companionNames ? null : a.Author.Name, a.Author.BodyId is { } ab ? BodyRef.Of(ab, bodyNames) : null, companion);
        return new(a.Id, a.Kind, a.On, a.BodyId is { } b ? new BodyRef(b, a.BodyName) : null, a.Note, author, a.LoggedAt, a.Hidden, a.Version);
    }
}

public static class AccompanimentsSight
{
    /// <summary>
    /// Whether the reader sees this entry: hidden entries are the person's alone; an entry at a sensitive body
    /// is an item of that body (and of the author's body), like a referral or an appointment there.
    /// </summary>
    public static Decision Decide(Sight sight, AccompanimentDetails a)
    {
        if (a.Hidden && !sight.IsSelf) return Coordination.Secrecy.Decision.Denied;
        var item = a.BodyId is { } visited ? Sight.AtBody(a.Id, visited, a.Author.BodyId) : null;
        return sight.Of(Categories.Accompaniment, item);
    }
}

public static class ListAccompanimentsEndpoint
{
    private static readonly string[] Asked = [Categories.Accompaniment];

    public static RouteGroupBuilder MapListAccompaniments(this RouteGroupBuilder group)
    {
        group.MapGet("/persons/{personId:guid}/accompaniments", Handle)
            .WithName("listAccompaniments")
            .WithSummary("Read a person's accompaniment log")
            .WithDescription("The entries (kind, date, body visited, note, author), newest first. Category accompaniment under DESIGN §4; " +
                "entries the person hid are shown to the person only, and entries at a sensitive body only to the bodies concerned. " +
                "Anyone who may see none gets the 404 of an unknown id. Every read is recorded in the person's access log.")
            .Produces<IReadOnlyList<AccompanimentView>>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> Handle(Guid personId, SecrecyGate gate, IDocumentSession session, HttpContext http)
    {
        var ct = http.RequestAborted;
        var batch = session.CreateBatchQuery();
        var pending = FactsLoader.Queue(batch, [personId]);
        var entries = batch.Query<AccompanimentDetails>().Where(a => a.PersonId == personId).ToList();
        await batch.Execute(ct);
        var sight = new Sight(gate.Reader, await pending.For(personId), gate.Now);

        var read = new ReadRecord(Asked);
        read.Show(Categories.Accompaniment, sight.Of(Categories.Accompaniment));
        var visible = (await entries).Where(a => read.Show(Categories.Accompaniment, AccompanimentsSight.Decide(sight, a)))
            .OrderByDescending(a => a.On).ThenByDescending(a => a.LoggedAt).ToList();
        var companionNames = false;
        if (visible.Any(a => a.Author.CompanionId is not null))
        {
            read.Ask(Categories.Companion);
            companionNames = read.Show(Categories.Companion, sight.Of(Categories.Companion));
        }
        gate.RecordRead(personId, read.Shown, read.Withheld, read.Basis?.Basis ?? Bases.Denied, read.Basis?.ConsentId);
        session.PropagateTrace();
        await session.SaveChangesAsync(ct);
        if (!read.ShowedAnything) return Problems.NotFound();

        var names = await BodyNames.LoadAsync(session, visible.Where(a => a.Author.BodyId is not null).Select(a => a.Author.BodyId!.Value), ct);
        return TypedResults.Ok(visible.Select(a => AccompanimentView.Of(a, names, companionNames)).ToList());
    }
}
