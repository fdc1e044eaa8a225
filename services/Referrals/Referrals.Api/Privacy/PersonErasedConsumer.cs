using Consents.Contracts;
using Coordination.Secrecy.Gate.Privacy;
using Marten;
using MassTransit;
using Referrals.Api.Accompaniments;
using Referrals.Api.Accompaniments.Listing;
using Referrals.Api.Copies;
using Referrals.Api.Referrals;
using Referrals.Api.Referrals.GettingDetails;

namespace Referrals.Api.Privacy;

/// <summary>
/// Erases a person from Referrals (docs/adr/0071): the person is marked erased (copies arriving later come masked), the
/// events of every stream naming them are masked, the referral and accompaniment documents rebuilt from them, the
/// person's name and companions' names in the copies masked, and stored answers masked. Referrals stay, with their
/// codes and dates: a body can still close its stub, and the statistics count them as before. Idempotent.
/// </summary>
public sealed class PersonErasedConsumer(IDocumentSession session, TimeProvider time, ILogger<PersonErasedConsumer> logger) : IConsumer<PersonErased>
{
    public async Task Consume(ConsumeContext<PersonErased> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        var mark = await PersonErasure.BeginAsync(session, m.PersonId, m.OccurredAt, ct);

        var store = session.DocumentStore;
        var streams = await PersonErasure.StreamsOfAsync(session, m.PersonId, ct);
        await PersonErasure.MaskEventsAsync(store, streams, ct);
        foreach (var stream in streams)
        {
            if (stream.AggregateType == typeof(Referral)) await store.Advanced.RebuildSingleStreamAsync<ReferralDetails>(stream.Id, ct);
            else if (stream.AggregateType == typeof(Accompaniment)) await store.Advanced.RebuildSingleStreamAsync<AccompanimentDetails>(stream.Id, ct);
        }

        if (await session.LoadAsync<PersonNameCopy>(m.PersonId, ct) is { } name && name.DisplayName != Erased.Text)
        {
            session.Store(name with { DisplayName = Erased.Text });
        }
        await PersonErasure.MaskCopiesAsync(session, m.PersonId, ct);
        await PersonErasure.MaskStoredAnswersAsync(session, m.PersonId, ct);
        await PersonErasure.CompleteAsync(session, mark, time.GetUtcNow(), ct);
        logger.LogInformation("Person {PersonId} erased in Referrals: {Streams} streams masked", m.PersonId, streams.Count);
    }
}
