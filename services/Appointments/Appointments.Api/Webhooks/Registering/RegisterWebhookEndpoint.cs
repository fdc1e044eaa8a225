using Appointments.Api.Bookings;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Marten;

namespace Appointments.Api.Webhooks.Registering;

public sealed record RegisterWebhookEndpointRequest(string? Url, string? Secret, string[]? Topics);

public sealed record RegisterWebhookEndpoint(Guid EndpointId, Guid BodyId, Uri Url, string Secret, string[] Topics, Actor By, DateTimeOffset At);

/// <summary>An endpoint as shown: never its secret.</summary>
public sealed record WebhookEndpointView(Guid Id, Guid BodyId, string Url, string[] Topics, DateTimeOffset RegisteredAt)
{
    public static WebhookEndpointView Of(WebhookEndpointDetails d) => new(d.Id, d.BodyId, d.Url, d.Topics, d.RegisteredAt);
}

public static class RegisterWebhookEndpointDecider
{
    public static Dictionary<string, string[]> Validate(RegisterWebhookEndpointRequest r)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(r.Url)) errors["url"] = ["Required."];
        else if (r.Url.Length > 500 || !Uri.TryCreate(r.Url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")
                 || !string.IsNullOrEmpty(uri.UserInfo))
        {
            errors["url"] = ["An absolute http(s) URL without credentials, at most 500 characters."];
        }
        if (string.IsNullOrEmpty(r.Secret)) errors["secret"] = ["Required."];
        else if (r.Secret.Length is < 16 or > 200) errors["secret"] = ["Between 16 and 200 characters."];
        if (r.Topics is not { Length: > 0 }) errors["topics"] = ["At least one of " + string.Join(", ", WebhookTopics.All) + "."];
        else
        {
            for (var i = 0; i < r.Topics.Length; i++)
            {
                if (!WebhookTopics.All.Contains(r.Topics[i])) errors[$"topics[{i}]"] = ["One of " + string.Join(", ", WebhookTopics.All) + "."];
            }
        }
        return errors;
    }

    public static WebhookEndpointRegistered Decide(RegisterWebhookEndpoint c) =>
        new(c.EndpointId, c.BodyId, c.Url.ToString(), c.Secret, c.Topics, c.By, c.At);
}

public static class RegisterWebhookEndpointEndpoint
{
    public static RouteGroupBuilder MapRegisterWebhookEndpoint(this RouteGroupBuilder group)
    {
        group.MapPost("/webhook-endpoints", Handle)
            .AcceptsIdempotencyKey()
            .WithName("registerWebhookEndpoint")
            .WithSummary("Register a webhook endpoint for your body's bookings")
            .WithDescription("A coordinator of one body registers a URL, a shared secret (16 to 200 characters) and topics " +
                "(appointment.created, appointment.updated, appointment.destroyed). The endpoint receives the bookings at that body, " +
                "as { data, meta: { model, event, timestamp, sequence } } with the person's display name and no note, signed " +
                "X-Signature: hex(HMAC-SHA256(secret, body)), in sequence order, retried with backoff. Administrators and partner " +
                "systems get 403. Accepts an Idempotency-Key header.")
            .Produces<WebhookEndpointView>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static async Task<IResult> Handle(RegisterWebhookEndpointRequest request, Caller caller, IDocumentSession session, TimeProvider time,
        HttpContext http)
    {
        if (!caller.IsBodyCoordinator()) return Problems.Forbidden("A coordinator of the body registers its webhook endpoints.");
        var errors = RegisterWebhookEndpointDecider.Validate(request);
        if (errors.Count > 0) return Problems.Invalid(errors);

        var command = new RegisterWebhookEndpoint(Guid.CreateVersion7(), caller.BodyId!.Value, new Uri(request.Url!.Trim()), request.Secret!,
            request.Topics!.Distinct().ToArray(), BookingRules.ActorOf(caller), time.GetUtcNow());
        var registered = RegisterWebhookEndpointDecider.Decide(command);
        session.Events.StartStream<WebhookEndpoint>(command.EndpointId, registered);
        return await session.CreatedAsync(http, $"/webhook-endpoints/{command.EndpointId}",
            new WebhookEndpointView(command.EndpointId, command.BodyId, registered.Url, registered.Topics, registered.At), version: 1);
    }
}
