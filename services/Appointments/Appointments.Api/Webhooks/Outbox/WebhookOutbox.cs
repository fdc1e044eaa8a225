using System.Text.Json;
using System.Text.Json.Serialization;
using Appointments.Api.Bookings;
using Appointments.Api.Copies;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;

namespace Appointments.Api.Webhooks.Outbox;

/// <summary>
/// One delivery to one endpoint, numbered in the endpoint's own sequence. <see cref="Body"/> is the exact JSON
/// sent and signed. <see cref="ShowsPerson"/>: the receiving body held an active grant when the event happened, so
/// the body carries the person's display name and its delivery is that body's read (basis booking).
/// </summary>
public sealed record WebhookDelivery(Guid Id, Guid EndpointId, long Sequence, string Topic, Guid AppointmentId, Guid PersonId, string Body,
    bool ShowsPerson, Guid? ConsentId, DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt);

/// <summary>The last sequence number given to one endpoint's deliveries.</summary>
public sealed record WebhookCursor(Guid Id, long LastSequence);

public sealed record WebhookPerson(string? DisplayName);

/// <summary>What a partner learns of a booking: what the booking holds, never the note.</summary>
public sealed record WebhookAppointment(Guid Id, Guid BodyId, Guid? BookedByBodyId, Guid PlaceId, DateTimeOffset StartsAt, DateTimeOffset EndsAt,
    string Motif, Mode Mode, AppointmentStatus Status, bool? Excused, CancelledBy? CancelledBy, CancelReason? CancelReason,
    WebhookPerson? Person, bool CompanionAttends, Guid? ReferralId);

public sealed record WebhookMeta(string Model, string Event, DateTimeOffset Timestamp, long Sequence);

public sealed record WebhookPayload(WebhookAppointment Data, WebhookMeta Meta);

/// <summary>
/// The webhooks' outbox: a Marten subscription (one active node, HotCold) that turns each appointment event into a
/// numbered delivery for every endpoint of the receiving body registered for its topic. The deliveries and the
/// cursors are written with the subscription's progress, so an event is numbered once; the delivery worker sends them.
/// </summary>
public sealed class WebhookOutbox : SubscriptionBase
{
    public const string SubscriptionName = "webhook-outbox";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public WebhookOutbox()
    {
        Name = SubscriptionName;
        IncludeType<AppointmentBooked>();
        IncludeType<AppointmentRescheduled>();
        IncludeType<AppointmentCancelled>();
        IncludeType<AppointmentAttended>();
        IncludeType<AppointmentMissed>();
    }

    public override async Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller,
        IDocumentOperations operations, CancellationToken cancellationToken)
    {
        var cursors = new Dictionary<Guid, WebhookCursor>();
        foreach (var e in page.Events)
        {
            if (WebhookTopics.Of(e.Data) is not { } topic) continue;
            var appointment = await operations.Events.AggregateStreamAsync<Appointment>(e.StreamId, e.Version, token: cancellationToken);
            if (appointment is null) continue;
            var endpoints = await operations.Query<WebhookEndpointDetails>()
                .Where(w => w.BodyId == appointment.BodyId && w.RegisteredAt <= e.Timestamp && w.RemovedAt == null).ToListAsync(cancellationToken);
            endpoints = endpoints.Where(w => w.Topics.Contains(topic)).ToList();
            if (endpoints.Count == 0) continue;

            var facts = await PersonFactsLoader.LoadAsync(operations, appointment.PersonId, cancellationToken);
            var person = await operations.LoadAsync<PersonCopy>(appointment.PersonId, cancellationToken);
            foreach (var endpoint in endpoints)
            {
                if (!cursors.TryGetValue(endpoint.Id, out var cursor))
                {
                    cursor = await operations.LoadAsync<WebhookCursor>(endpoint.Id, cancellationToken) ?? new WebhookCursor(endpoint.Id, 0);
                }
                cursor = cursor with { LastSequence = cursor.LastSequence + 1 };
                cursors[endpoint.Id] = cursor;

                // The receiving body sees what the booking holds while it has an active grant (DESIGN §4), as of the event.
                var reader = new Reader(endpoint.RegisteredBy.Subject, endpoint.RegisteredBy.Role, endpoint.BodyId, null);
                var decision = SecrecyRules.DecideBookingContent(reader, facts, appointment.BodyId, e.Timestamp);
                var payload = new WebhookPayload(DataOf(appointment, decision.Allowed ? new WebhookPerson(person?.DisplayName) : null),
                    new WebhookMeta("Appointment", WebhookTopics.EventName(topic), e.Timestamp, cursor.LastSequence));
                operations.Store(new WebhookDelivery(DeliveryId(endpoint.Id, e.Id), endpoint.Id, cursor.LastSequence, topic, appointment.Id,
                    appointment.PersonId, JsonSerializer.Serialize(payload, Json), decision.Allowed, decision.ConsentId, e.Timestamp, null));
            }
        }
        foreach (var cursor in cursors.Values) operations.Store(cursor);
        return NullChangeListener.Instance;
    }

    private static WebhookAppointment DataOf(Appointment a, WebhookPerson? person) => new(a.Id, a.BodyId, a.BookedByBodyId, a.PlaceId, a.StartsAt,
        a.EndsAt, a.Motif, a.Mode, a.Status, a.Excused, a.CancelledBy, a.CancelReason, person, a.CompanionAttends, a.ReferralId);

    /// <summary>One delivery per endpoint and event, whatever happens to the page.</summary>
    private static Guid DeliveryId(Guid endpointId, Guid eventId)
    {
        Span<byte> input = stackalloc byte[32];
        endpointId.TryWriteBytes(input);
        eventId.TryWriteBytes(input[16..]);
        var hash = System.Security.Cryptography.SHA256.HashData(input);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
