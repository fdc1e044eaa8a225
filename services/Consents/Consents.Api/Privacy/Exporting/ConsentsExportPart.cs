using System.Text.Json;
using Consents.Api.AccessLog;
using Consents.Api.Companions.Listing;
using Consents.Api.Consents.Listing;
using Consents.Api.Copies;
using Consents.Api.Persons.GettingDetails;
using Marten;

namespace Consents.Api.Privacy.Exporting;

/// <summary>Consents' part: who the person is on record, every consent with its history, their companions, the whole access log.</summary>
public sealed record ConsentsExportSections(PersonView? Identity, IReadOnlyList<ConsentView> Consents, IReadOnlyList<CompanionView> Companions,
    IReadOnlyList<AccessLogView> AccessLog);

public static class ConsentsExportPart
{
    public static async Task<string> BuildAsync(IQuerySession session, Guid personId, DateTimeOffset now, JsonSerializerOptions json,
        CancellationToken ct)
    {
        var batch = session.CreateBatchQuery();
        var person = batch.Load<PersonDetails>(personId);
        var login = batch.Load<LoginCopy>(personId);
        var consents = batch.Query<ConsentDetails>().Where(c => c.PersonId == personId).ToList();
        var companions = batch.Query<CompanionDetails>().Where(c => c.PersonId == personId).ToList();
        var accesses = batch.Query<AccessLogEntry>().Where(e => e.PersonId == personId).OrderByDescending(e => e.OccurredAt).ToList();
        await batch.Execute(ct);

        var details = await person;
        var consentList = (await consents).OrderByDescending(c => c.ValidFrom).ThenByDescending(c => c.Id).ToList();
        var companionList = (await companions).OrderByDescending(c => c.ChosenAt).ThenByDescending(c => c.Id).ToList();
        var accessList = await accesses;
        var bodies = await BodyNames.LoadAsync(session,
            consentList.SelectMany(ConsentView.BodiesOf)
                .Concat(companionList.SelectMany(c => new[] { c.ChosenBy.BodyId, c.RemovedBy?.BodyId }).Where(b => b is not null).Select(b => b!.Value))
                .Concat(accessList.Where(a => a.ReaderBodyId is not null).Select(a => a.ReaderBodyId!.Value))
                .Concat(details is null ? [] : [details.RegisteredByBodyId]), ct);

        var sections = new ConsentsExportSections(
            details is null ? null : PersonView.Of(details, bodies, await login),
            consentList.Select(c => ConsentView.Of(c, bodies, now, withReason: true)).ToList(),
            companionList.Select(c => CompanionView.Of(c, bodies, now)).ToList(),
            accessList.Select(a => AccessLogView.Of(a, bodies)).ToList());
        return JsonSerializer.Serialize(sections, json);
    }
}
