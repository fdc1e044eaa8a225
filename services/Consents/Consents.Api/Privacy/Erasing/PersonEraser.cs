using Consents.Api.AccessLog;
using Consents.Api.Companions;
using Consents.Api.Companions.Listing;
using Consents.Api.Consents;
using Consents.Api.Consents.Listing;
using Consents.Api.Persons;
using Consents.Api.Persons.GettingDetails;
using Consents.Api.Privacy.Exporting;
using Coordination.Secrecy.Gate.Copies;
using Coordination.Secrecy.Gate.Privacy;
using Coordination.ServiceDefaults.Messaging;
using JasperFx.Events;
using Marten;

namespace Consents.Api.Privacy.Erasing;

/// <summary>
/// Erases a person from Consents in two steps. <see cref="RecordAsync"/> appends the erasure with the end of every
/// active grant and companion in the caller's transaction (the outbox then tells every service). <see cref="CompleteAsync"/>
/// masks, after that commit, every event that names the person and rebuilds the documents projected from them; it is
/// idempotent, and the retention job runs it again for an erasure that did not complete (a crash in between).
/// </summary>
public sealed class PersonEraser(IDocumentStore store, TimeProvider time, ILogger<PersonEraser> logger)
{
    /// <summary>Appends the erasure to the session (not committed). Null when the person was erased already.</summary>
    public static async Task<ErasureEvents?> RecordAsync(IDocumentSession session, ErasePerson command, CancellationToken ct)
    {
        if (await session.Events.FetchStreamStateAsync(ErasureIds.Of(command.PersonId), ct) is not null) return null;
        var batch = session.CreateBatchQuery();
        var consents = batch.Query<ConsentDetails>().Where(c => c.PersonId == command.PersonId).ToList();
        var companions = batch.Query<CompanionDetails>().Where(c => c.PersonId == command.PersonId).ToList();
        await batch.Execute(ct);

        var events = ErasePersonDecider.Decide(command, await consents, await companions);
        session.Events.StartStream<Erasure>(ErasureIds.Of(command.PersonId), events.Erased);
        foreach (var revoked in events.Revocations) session.Events.Append(revoked.ConsentId, revoked);
        foreach (var removed in events.Removals) session.Events.Append(removed.CompanionId, removed);
        session.Store(new ErasedPerson(command.PersonId, command.Now, null));
        // Exports hold the person's data in full: they go with the erasure.
        session.DeleteWhere<PersonExportRecord>(e => e.PersonId == command.PersonId);
        session.DeleteWhere<PersonExportPartRecord>(p => p.PersonId == command.PersonId);
        session.PropagateTrace();
        return events;
    }

    /// <summary>Masks everything Consents holds about an erased person. Running it again changes nothing.</summary>
    public async Task CompleteAsync(Guid personId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var session = store.LightweightSession();
        var mark = await PersonErasure.BeginAsync(session, personId, now, ct);

        var streams = await PersonErasure.StreamsOfAsync(session, personId, ct);
        await PersonErasure.MaskEventsAsync(store, streams, ct);
        foreach (var stream in streams) await RebuildAsync(stream, ct);

        // Documents that are not projected from the person's streams.
        var readsByPersons = await session.Query<AccessLogEntry>()
            .Where(e => e.PersonId == personId && e.ReaderRole == Erased.PersonRole && e.ReaderDisplayName != Erased.Text).ToListAsync(ct);
        foreach (var entry in readsByPersons) session.Store(entry with { ReaderDisplayName = Erased.Text });
        session.DeleteWhere<PersonExportRecord>(e => e.PersonId == personId);
        session.DeleteWhere<PersonExportPartRecord>(p => p.PersonId == personId);
        await session.SaveChangesAsync(ct);
        await PersonErasure.MaskStoredAnswersAsync(session, personId, ct);
        await PersonErasure.CompleteAsync(session, mark, time.GetUtcNow(), ct);
        logger.LogInformation("Person {PersonId} erased in Consents: {Streams} streams masked", personId, streams.Count);
    }

    /// <summary>The documents Consents projects from each kind of stream, rebuilt from the masked events.</summary>
    private async Task RebuildAsync(StreamState stream, CancellationToken ct)
    {
        if (stream.AggregateType == typeof(Person))
        {
            await store.Advanced.RebuildSingleStreamAsync<PersonDetails>(stream.Id, ct);
        }
        else if (stream.AggregateType == typeof(Consent))
        {
            await store.Advanced.RebuildSingleStreamAsync<ConsentDetails>(stream.Id, ct);
            await store.Advanced.RebuildSingleStreamAsync<GrantCopy>(stream.Id, ct);
        }
        else if (stream.AggregateType == typeof(Companion))
        {
            await store.Advanced.RebuildSingleStreamAsync<CompanionDetails>(stream.Id, ct);
            await store.Advanced.RebuildSingleStreamAsync<CompanionCopy>(stream.Id, ct);
        }
    }
}
