using System.Security.Cryptography;
using System.Text;
using Appointments.Api.Bookings;
using Marten.Events.Aggregation;

namespace Appointments.Api.Webhooks;

// A partner's webhook endpoint for one body's bookings (as receiving body), RDV-Service-Public style: its stream
// holds its registration and, when its body stops it, its removal. The secret signs every delivery and is never shown
// again; a removed endpoint receives nothing more and can no longer be replayed.

public sealed record WebhookEndpointRegistered(Guid EndpointId, Guid BodyId, string Url, string Secret, string[] Topics, Actor RegisteredBy,
    DateTimeOffset At);

public sealed record WebhookEndpointRemoved(Guid EndpointId, Guid BodyId, Actor RemovedBy, DateTimeOffset At);

public sealed record WebhookEndpoint(Guid Id, Guid BodyId, bool Removed = false)
{
    public static WebhookEndpoint Create(WebhookEndpointRegistered e) => new(e.EndpointId, e.BodyId);

    public WebhookEndpoint Apply(WebhookEndpointRemoved e) => this with { Removed = true };
}

public sealed record WebhookEndpointDetails(Guid Id, Guid BodyId, string Url, string Secret, string[] Topics, Actor RegisteredBy,
    DateTimeOffset RegisteredAt, DateTimeOffset? RemovedAt = null)
{
    public long Version { get; init; }

    /// <summary>Live: still registered. A removed endpoint is kept (who registered and removed it, when) without its secret.</summary>
    public bool Live => RemovedAt is null;
}

public sealed class WebhookEndpointDetailsProjection : SingleStreamProjection<WebhookEndpointDetails, Guid>
{
    public static WebhookEndpointDetails Create(WebhookEndpointRegistered e) =>
        new(e.EndpointId, e.BodyId, e.Url, e.Secret, e.Topics, e.RegisteredBy, e.At);

    public static WebhookEndpointDetails Apply(WebhookEndpointRemoved e, WebhookEndpointDetails s) => s with { RemovedAt = e.At, Secret = "" };
}

public static class WebhookTopics
{
    public const string Created = "appointment.created";
    public const string Updated = "appointment.updated";
    public const string Destroyed = "appointment.destroyed";

    public static readonly IReadOnlyList<string> All = [Created, Updated, Destroyed];

    /// <summary>
    /// RDV-Service-Public's three events: a booking is created; a reschedule or an attendance outcome updates it; a
    /// cancellation destroys it (its seat is given back and it leaves the partner's agenda).
    /// </summary>
    public static string? Of(object @event) => @event switch
    {
        AppointmentBooked => Created,
        AppointmentRescheduled or AppointmentAttended or AppointmentMissed => Updated,
        AppointmentCancelled => Destroyed,
        _ => null,
    };

    /// <summary>The event name in a delivery's meta: the topic without its model.</summary>
    public static string EventName(string topic) => topic[(topic.IndexOf('.', StringComparison.Ordinal) + 1)..];
}

public static class WebhookSignature
{
    public const string Header = "X-Signature";

    /// <summary>hex(HMAC-SHA256(secret, body)), lower case, over the exact UTF-8 bytes sent.</summary>
    public static string Sign(string secret, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));
}
