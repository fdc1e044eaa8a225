using System.Text.Json;
using Appointments.Api.Webhooks.Outbox;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Messaging;
using Marten;

namespace Appointments.Api.Webhooks.Replaying;

/// <summary>
/// One delivery of an endpoint, as replayed: <see cref="Payload"/> is the body that was (or will be) sent, or null
/// when the body may no longer see the person's booking (<see cref="Withheld"/>).
/// </summary>
public sealed record WebhookEventView(long Sequence, string Topic, Guid AppointmentId, DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt,
    bool Withheld, JsonElement? Payload);

public sealed record WebhookEventsPage(IReadOnlyList<WebhookEventView> Items, long After, long? Next);

public static class ListWebhookEventsEndpoint
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;

    public static RouteGroupBuilder MapListWebhookEvents(this RouteGroupBuilder group)
    {
        group.MapGet("/webhook-endpoints/{id:guid}/events", Handle)
            .WithName("listWebhookEvents")
            .WithSummary("Replay an endpoint's deliveries from a cursor")
            .WithDescription("The deliveries with a sequence after 'after' (default 0), in order, at most 'limit' (default 50, at most 100), " +
                "each with the exact body sent; 'next' is the cursor to ask for next. A payload is withheld when the body may no longer " +
                "see the person's booking. The coordinators of the endpoint's body; every person shown is recorded in their access log.")
            .Produces<WebhookEventsPage>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> Handle(Guid id, long? after, int? limit, SecrecyGate gate, IDocumentSession session, HttpContext http)
    {
        var ct = http.RequestAborted;
        if (!gate.Caller.IsBodyCoordinator()) return Problems.Forbidden("A coordinator of the body reads its webhook endpoints.");
        if (after is < 0) return Problems.Invalid("after", "A sequence number, 0 or more.");
        if (limit is < 1 or > MaxLimit) return Problems.Invalid("limit", $"Between 1 and {MaxLimit}.");
        var endpoint = await session.LoadAsync<WebhookEndpointDetails>(id, ct);
        if (endpoint is not { Live: true } || endpoint.BodyId != gate.Caller.BodyId) return Problems.NotFound();

        var from = after ?? 0;
        var deliveries = await session.Query<WebhookDelivery>().Where(d => d.EndpointId == id && d.Sequence > from)
            .OrderBy(d => d.Sequence).Take(limit ?? DefaultLimit).ToListAsync(ct);

        // Decided now, person by person: one access-log entry per person shown (or withheld) in this page.
        var shownTo = new Dictionary<Guid, Decision>();
        foreach (var personId in deliveries.Where(d => d.ShowsPerson).Select(d => d.PersonId).Distinct())
        {
            var facts = await gate.FactsAsync(personId, ct);
            var decision = SecrecyRules.DecideBookingContent(gate.Reader, facts, endpoint.BodyId, gate.Now);
            shownTo[personId] = decision;
            string[] categories = [Categories.Appointments, Categories.Companion, Categories.Identity];
            if (decision.Allowed) gate.RecordRead(personId, categories, [], decision.Basis, decision.ConsentId);
            else gate.RecordDenied(personId, categories);
        }
        var items = deliveries.Select(d =>
        {
            var withheld = d.ShowsPerson && !shownTo[d.PersonId].Allowed;
            using var body = JsonDocument.Parse(d.Body);
            return new WebhookEventView(d.Sequence, d.Topic, d.AppointmentId, d.CreatedAt, d.DeliveredAt, withheld,
                withheld ? null : body.RootElement.Clone());
        }).ToList();
        session.PropagateTrace();
        await session.SaveChangesAsync(ct);
        return TypedResults.Ok(new WebhookEventsPage(items, from, items.Count > 0 ? items[^1].Sequence : null));
    }
}
