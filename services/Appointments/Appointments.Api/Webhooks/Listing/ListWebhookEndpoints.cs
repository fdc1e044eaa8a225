using Appointments.Api.Webhooks.Registering;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Marten;

namespace Appointments.Api.Webhooks.Listing;

/// <summary>
/// What a body's coordinator needs to look after its partners' endpoints: which are registered, where they point and
/// for which topics; never a secret. Another body's endpoint is the 404 of an unknown id.
/// </summary>
public static class ListWebhookEndpointsEndpoint
{
    public static RouteGroupBuilder MapListWebhookEndpoints(this RouteGroupBuilder group)
    {
        group.MapGet("/webhook-endpoints", List)
            .WithName("listWebhookEndpoints")
            .WithSummary("List your body's webhook endpoints")
            .WithDescription("The endpoints registered for your body and not removed, newest first, without their secrets; page counts " +
                "from 1, pageSize is at most 100. The body's coordinators.")
            .Produces<PageOf<WebhookEndpointView>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapGet("/webhook-endpoints/{id:guid}", Get)
            .WithName("getWebhookEndpoint")
            .WithSummary("Read one of your body's webhook endpoints")
            .WithDescription("URL, topics and registration date, never the secret; the ETag is the version to send as If-Match to " +
                "remove it. The body's coordinators; a removed endpoint, or another body's, is 404.")
            .Produces<WebhookEndpointView>()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> List(int? page, int? pageSize, Caller caller, IQuerySession session, HttpContext http)
    {
        if (!caller.IsBodyCoordinator()) return Problems.Forbidden("A coordinator of the body reads its webhook endpoints.");
        if (!Paging.TryCreate(page, pageSize, out var paging, out var problem)) return problem!;
        var bodyId = caller.BodyId!.Value;
        var endpoints = await session.Query<WebhookEndpointDetails>().Where(w => w.BodyId == bodyId && w.RemovedAt == null)
            .Stats(out var stats).OrderByDescending(w => w.RegisteredAt).ThenBy(w => w.Id)
            .Skip(paging.Skip).Take(paging.PageSize).ToListAsync(http.RequestAborted);
        return TypedResults.Ok(new PageOf<WebhookEndpointView>(endpoints.Select(WebhookEndpointView.Of).ToList(), paging.Page, paging.PageSize,
            stats.TotalResults));
    }

    private static async Task<IResult> Get(Guid id, Caller caller, IQuerySession session, HttpContext http)
    {
        if (!caller.IsBodyCoordinator()) return Problems.Forbidden("A coordinator of the body reads its webhook endpoints.");
        var endpoint = await session.LoadAsync<WebhookEndpointDetails>(id, http.RequestAborted);
        if (endpoint is not { Live: true } || endpoint.BodyId != caller.BodyId) return Problems.NotFound();
        http.Response.SetETag(endpoint.Version);
        return TypedResults.Ok(WebhookEndpointView.Of(endpoint));
    }
}
