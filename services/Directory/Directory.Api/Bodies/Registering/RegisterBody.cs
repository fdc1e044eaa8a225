using System.ComponentModel.DataAnnotations;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Marten;

namespace Directory.Api.Bodies.Registering;

public sealed record AddressRequest(
    [property: StringLength(200)] string? Line,
    [property: StringLength(10)] string? PostalCode,
    string? CommuneInsee,
    [property: StringLength(100)] string? Commune);

public sealed record RegisterBodyRequest(
    [property: Required] string Name,
    [property: Required] string Kind,
    AddressRequest? Address,
    string[]? TerritoryCodes,
    bool Sensitive = false);

public sealed record RegisterBody(Guid BodyId, string Name, string Kind, Address Address, string[] TerritoryCodes,
    bool Sensitive, string RegisteredBy);

public sealed record BodyCreated(Guid Id);

public static class RegisterBodyDecider
{
    /// <summary>The rules data·inclusion sets on a structure, checked before anything is written.</summary>
    public static Dictionary<string, string[]> Validate(RegisterBodyRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        var name = request.Name.Trim();
        if (name.Length is < 3 or > 150) errors["name"] = ["Between 3 and 150 characters."];
        else if (name.EndsWith('.')) errors["name"] = ["Must not end with a period."];
        if (!BodyKinds.IsKnown(request.Kind)) errors["kind"] = ["Unknown kind: use a data·inclusion reseaux_porteurs value, 'association' or 'other'."];
        if (request.Address?.CommuneInsee is { } commune && !Territory.IsCommune(commune))
            errors["address.communeInsee"] = ["An INSEE commune code: five digits, or 2A/2B and three digits."];
        var territory = request.TerritoryCodes ?? [];
        for (var i = 0; i < territory.Length; i++)
        {
            if (!Territory.IsCommune(territory[i]) && !Territory.IsDepartement(territory[i]))
                errors[$"territoryCodes[{i}]"] = ["An INSEE commune code or a département code."];
        }
        return errors;
    }

    public static BodyRegistered Decide(RegisterBody command) =>
        new(command.BodyId, command.Name, command.Kind, command.Address, command.TerritoryCodes, command.Sensitive, command.RegisteredBy);

    /// <summary>A body that names no territory serves its own commune.</summary>
    public static string[] TerritoryOf(RegisterBodyRequest request) =>
        request.TerritoryCodes is { Length: > 0 } codes ? codes.Distinct().ToArray()
        : request.Address?.CommuneInsee is { } commune ? [commune]
        : [];
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
            .WithDescription("Administrators register bodies. Accepts an Idempotency-Key header.")
            .Produces<BodyCreated>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static async Task<IResult> Handle(RegisterBodyRequest request, Caller caller, IDocumentSession session, HttpContext http)
    {
        var errors = RegisterBodyDecider.Validate(request);
        if (errors.Count > 0) return Problems.Invalid(errors);

        var address = new Address(request.Address?.Line?.Trim(), request.Address?.PostalCode?.Trim(),
            request.Address?.CommuneInsee, request.Address?.Commune?.Trim());
        var command = new RegisterBody(Guid.CreateVersion7(), request.Name.Trim(), request.Kind, address,
            RegisterBodyDecider.TerritoryOf(request), request.Sensitive, caller.Subject);

        session.Events.StartStream<Body>(command.BodyId, RegisterBodyDecider.Decide(command));
        return await session.CreatedAsync(http, $"/bodies/{command.BodyId}", new BodyCreated(command.BodyId), version: 1);
    }
}
