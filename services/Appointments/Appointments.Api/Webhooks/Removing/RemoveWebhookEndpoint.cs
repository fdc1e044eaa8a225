using Appointments.Api.Bookings;
using Appointments.Api.Webhooks.Outbox;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Marten;

namespace Appointments.Api.Webhooks.Removing;

public sealed record RemoveWebhookEndpoint(Guid EndpointId, Actor By, DateTimeOffset At);

public static class RemoveWebhookEndpointDecider
{
    /// <summary>Null when it is already removed (it is then gone for its body, as an unknown id).</summary>
    public static WebhookEndpointRemoved? Decide(WebhookEndpoint state, RemoveWebhookEndpoint c) =>
        state.Removed ? null : new WebhookEndpointRemoved(state.Id, state.BodyId, c.By, c.At);
}

/// <summary>
/// A body stops a partner's endpoint (a partner that left, a secret that leaked): nothing more is sent to it, what was
/// waiting to be sent is dropped with the person's data it carried, and it can no longer be replayed.
/// </summary>
public static class RemoveWebhookEndpointEndpoint
{
    public static RouteGroupBuilder MapRemoveWebhookEndpoint(this RouteGroupBuilder group)
    {
        group.MapDelete("/webhook-endpoints/{id:guid}", Handle)
            .RequireIfMatch()
            .WithName("removeWebhookEndpoint")
            .WithSummary("Remove one of your body's webhook endpoints")
            .WithDescription("Nothing more is delivered to it, deliveries still waiting are dropped, and its events can no longer be " +
                "replayed. The body's coordinators. Requires If-Match with the endpoint's ETag; 204 when removed.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        return group;
    }

    private static async Task<IResult> Handle(Guid id, Caller caller, IDocumentSession session, TimeProvider time, HttpContext http)
    {
        var ct = http.RequestAborted;
        if (!caller.IsBodyCoordinator()) return Problems.Forbidden("A coordinator of the body removes its webhook endpoints.");
        var stream = await session.FetchExisting<WebhookEndpoint>(id, http.ExpectedVersion(), ct);
        if (stream?.Aggregate is not { } state || state.BodyId != caller.BodyId) return Problems.NotFound();
        if (RemoveWebhookEndpointDecider.Decide(state, new RemoveWebhookEndpoint(id, BookingRules.ActorOf(caller), time.GetUtcNow())) is not { } removed)
        {
            return Problems.NotFound();
        }
        stream.AppendOne(removed);
        session.DeleteWhere<WebhookDelivery>(d => d.EndpointId == id && d.DeliveredAt == null);
        await session.SaveAsync(http, stream.CurrentVersion ?? 0);
        return TypedResults.NoContent();
    }
}
