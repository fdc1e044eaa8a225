using Appointments.Api.Bookings;
using Appointments.Api.Bookings.GettingDetails;
using Appointments.Api.Copies;
using Appointments.Api.Webhooks.Outbox;
using Consents.Contracts;
using Coordination.Secrecy.Gate.Privacy;
using Marten;
using MassTransit;

namespace Appointments.Api.Privacy;

/// <summary>
/// Erases a person from Appointments (docs/adr/0071): marked erased (copies arriving later come masked), the events of
/// every stream naming them masked (the booking's note), the appointment documents rebuilt, the person's and companions'
/// names in the copies masked, the stored webhook bodies rewritten without the person's name (a delivery not yet sent
/// goes without it), and stored answers masked. Appointments stay, with their dates and statuses. Idempotent.
/// </summary>
public sealed class PersonErasedConsumer(IDocumentSession session, TimeProvider time, ILogger<PersonErasedConsumer> logger) : IConsumer<PersonErased>
{
    private static readonly IReadOnlySet<string> WebhookPersonalFields = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "displayName" };

    public async Task Consume(ConsumeContext<PersonErased> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        var mark = await PersonErasure.BeginAsync(session, m.PersonId, m.OccurredAt, ct);

        var store = session.DocumentStore;
        var streams = await PersonErasure.StreamsOfAsync(session, m.PersonId, ct);
        await PersonErasure.MaskEventsAsync(store, streams, ct);
        foreach (var stream in streams.Where(s => s.AggregateType == typeof(Appointment)))
        {
            await store.Advanced.RebuildSingleStreamAsync<AppointmentDetails>(stream.Id, ct);
        }

        if (await session.LoadAsync<PersonCopy>(m.PersonId, ct) is { } person && person.DisplayName != Erased.Text)
        {
            session.Store(person with { DisplayName = Erased.Text });
        }
        var deliveries = await session.Query<WebhookDelivery>().Where(d => d.PersonId == m.PersonId).ToListAsync(ct);
        foreach (var delivery in deliveries)
        {
            var body = JsonMasking.Mask(delivery.Body, WebhookPersonalFields);
            if (body != delivery.Body) session.Store(delivery with { Body = body });
        }
        await PersonErasure.MaskCopiesAsync(session, m.PersonId, ct);
        await PersonErasure.MaskStoredAnswersAsync(session, m.PersonId, ct);
        await PersonErasure.CompleteAsync(session, mark, time.GetUtcNow(), ct);
        logger.LogInformation("Person {PersonId} erased in Appointments: {Streams} streams masked, {Deliveries} webhook bodies rewritten",
            m.PersonId, streams.Count, deliveries.Count);
    }
}
