using Consents.Api.AccessLog;
using Consents.Api.Access;
using Consents.Api.Companions.Listing;
using Consents.Api.Consents.Listing;
using Consents.Api.ContactPersons;
using Consents.Api.Copies;
using Consents.Api.Persons.GettingDetails;
using Coordination.Secrecy;
using Coordination.ServiceDefaults.Http;
using Marten;

namespace Consents.Api.ConsentRecord;

/// <summary>
/// Everything the person needs to keep control, in one answer: who they are on record, every consent with
/// its history, their companions, the contact person of each body, and the latest reads of their data by
/// others (their own reads are in the full access log).
/// </summary>
public sealed record ConsentRecordView(PersonView Person, IReadOnlyList<ConsentView> Consents, IReadOnlyList<CompanionView> Companions,
    IReadOnlyList<BodyContactPersons> ContactPersons, IReadOnlyList<AccessLogView> LatestAccesses, long AccessLogTotal);

public static class GetConsentRecordEndpoint
{
    public const int LatestAccesses = 20;

    /// <summary>
    /// The latest reads by others, through the partial index that leaves the person's own reads out (ConsentsModel). The
    /// basis is written in the statement, not passed as a parameter: a prepared statement's generic plan cannot know a
    /// parameter's value, so it could not choose that index, and would walk back past every own read.
    /// </summary>
    public static readonly string LatestByOthers =
        $"where person_id = ? and basis <> '{Bases.Self}' order by occurred_at desc limit {LatestAccesses}";

    public static RouteGroupBuilder MapGetMyConsentRecord(this RouteGroupBuilder group)
    {
        group.MapGet("/me/consent-record", Handle)
            .WithName("getMyConsentRecord")
            .WithSummary("My consent record")
            .WithDescription("What you share, with whom, why and until when (every consent: active, expired or revoked, with who recorded " +
                "it), your companions, your contact person in each body, and the latest 20 reads of your data by others.")
            .Produces<ConsentRecordView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> Handle(PersonAccess access, IDocumentSession session, HttpContext http)
    {
        var personId = access.Caller.PersonId!.Value;
        var ct = http.RequestAborted;
        // One connection for the whole read: the two reads and the access-log append would otherwise each take one
        // from the pool, and every connection given back is reset (a statement of its own for PostgreSQL: ADR 0081).
        await session.BeginTransactionAsync(ct);

        // One round trip for the person's documents, one for the names of the bodies they mention.
        var batch = session.CreateBatchQuery();
        var person = batch.Load<PersonDetails>(personId);
        var login = batch.Load<LoginCopy>(personId);
        var consents = batch.Query<ConsentDetails>().Where(c => c.PersonId == personId).ToList();
        var companions = batch.Query<CompanionDetails>().Where(c => c.PersonId == personId).ToList();
        var contacts = batch.Query<ContactPersonEntry>().Where(e => e.PersonId == personId && e.Active).ToList();
        var latest = batch.Query<AccessLogEntry>(LatestByOthers, personId);
        var total = batch.Query<AccessLogEntry>().Where(e => e.PersonId == personId).Count();
        await batch.Execute(ct);

        if (await person is not { Erased: false } details) return Problems.NotFound();
        var consentList = (await consents).OrderByDescending(c => c.ValidFrom).ThenByDescending(c => c.Id).ToList();
        var companionList = (await companions).OrderByDescending(c => c.ChosenAt).ThenByDescending(c => c.Id).ToList();
        var contactList = await contacts;
        var accessList = await latest;

        var bodies = await BodyNames.LoadAsync(session,
            consentList.SelectMany(ConsentView.BodiesOf)
                .Concat(companionList.SelectMany(c => new[] { c.ChosenBy.BodyId, c.RemovedBy?.BodyId }).Where(b => b is not null).Select(b => b!.Value))
                .Concat(contactList.Select(c => c.BodyId))
                .Concat(accessList.Where(a => a.ReaderBodyId is not null).Select(a => a.ReaderBodyId!.Value))
                .Append(details.RegisteredByBodyId), ct);

        var now = access.Now;
        var record = new ConsentRecordView(
            PersonView.Of(details, bodies, await login),
            consentList.Select(c => ConsentView.Of(c, bodies, now, withReason: true)).ToList(),
            companionList.Select(c => CompanionView.Of(c, bodies, now)).ToList(),
            ContactPersonViews.Group(contactList, bodies),
            accessList.Select(a => AccessLogView.Of(a, bodies)).ToList(),
            await total);

        access.Gate.RecordRead(personId, [Categories.Identity, Categories.Companion, Categories.Contacts], [], Bases.Self, null);
        await access.CommitAsync(ct);
        return TypedResults.Ok(record);
    }
}
