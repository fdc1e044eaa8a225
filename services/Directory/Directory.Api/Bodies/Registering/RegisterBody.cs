using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Marten;

namespace Directory.Api.Bodies.Registering;

public sealed record RegisterBody(Guid BodyId, BodyProfile Profile, string RegisteredBy, SourceRecord? Origin = null);

public sealed record BodyCreated(Guid Id);

public static class RegisterBodyDecider
{
    public static BodyRegistered Decide(RegisterBody command) =>
        BodyRegistered.From(command.BodyId, command.Profile, command.RegisteredBy, command.Origin);
}

public static class RegisterBodyEndpoint
{
    public static RouteGroupBuilder MapRegisterBody(this RouteGroupBuilder group)
    {
        group.MapPost("/bodies", Handle)
            .RequireAuthorization(Policies.Admin)
            .AcceptsIdempotencyKey()
            .WithName("registerBody")
            .WithSummary("Register a body (organisme)")
            .WithDescription("Administrators register bodies. Accepts an Idempotency-Key header. The name follows data·inclusion " +
                "(3–150 characters, no final period); SIRET is Luhn-checked; phone in E.164 or French national form; " +
                "openingHours in the documented OSM subset; territoryCodes defaults to the body's own commune.")
            .Produces<BodyCreated>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return group;
    }

    private static async Task<IResult> Handle(RegisterBodyRequest request, Caller caller, IDocumentSession session, HttpContext http)
    {
        var errors = BodyRules.Validate(request);
        if (errors.Count > 0) return Problems.Invalid(errors);

        var command = new RegisterBody(Guid.CreateVersion7(), BodyRules.ToProfile(request), caller.Subject);
        session.Events.StartStream<Body>(command.BodyId, RegisterBodyDecider.Decide(command));
        return await session.CreatedAsync(http, $"/bodies/{command.BodyId}", new BodyCreated(command.BodyId), version: 1);
    }
}
