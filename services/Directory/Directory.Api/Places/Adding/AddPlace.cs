using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Security;
using Directory.Api.Bodies;
using Marten;

namespace Directory.Api.Places.Adding;

public sealed record PermanenceRequest(DateOnly From, DateOnly To, DayOfWeek[] Days, TimeOnly Opens, TimeOnly Closes);

public sealed record AddPlaceRequest(string Name, AddressRequest? Address, PermanenceRequest? Permanence = null);

public sealed record AddPlace(Guid PlaceId, Guid BodyId, string Name, Address Address, PermanenceSchedule? Permanence, string AddedBy);

public sealed record PlaceCreated(Guid Id);

public static class AddPlaceDecider
{
    /// <summary>Permanences are bounded: at most a year, so that a forgotten one does not run for ever.</summary>
    public const int MaxPermanenceDays = 366;

    public static Dictionary<string, string[]> Validate(AddPlaceRequest r)
    {
        var errors = new Dictionary<string, string[]>();
        var name = r.Name?.Trim();
        if (string.IsNullOrEmpty(name)) errors["name"] = ["Required."];
        else if (name.Length is < 3 or > 150) errors["name"] = ["Between 3 and 150 characters."];
        var a = r.Address;
        if (a?.CommuneInsee is not { Length: > 0 } commune) errors["address.communeInsee"] = ["Required: the INSEE code of the place's commune."];
        else if (!Territory.IsCommune(commune)) errors["address.communeInsee"] = ["An INSEE commune code: five digits, or 2A/2B and three digits."];
        if (a?.PostalCode is { } postal && !(postal.Length == 5 && postal.All(char.IsAsciiDigit))) errors["address.postalCode"] = ["Five digits."];
        if (a?.Line is { Length: > 200 }) errors["address.line"] = ["At most 200 characters."];
        if (a?.Complement is { Length: > 200 }) errors["address.complement"] = ["At most 200 characters."];
        if (a?.Commune is { Length: > 100 }) errors["address.commune"] = ["At most 100 characters."];
        if (r.Permanence is { } p)
        {
            if (p.To < p.From) errors["permanence.to"] = ["On or after 'from'."];
            else if (p.To.DayNumber - p.From.DayNumber > MaxPermanenceDays) errors["permanence.to"] = ["A permanence lasts at most a year."];
            if (p.Days is not { Length: > 0 }) errors["permanence.days"] = ["At least one day of the week."];
            if (p.Closes <= p.Opens) errors["permanence.closes"] = ["After 'opens'."];
        }
        return errors;
    }

    public static PlaceAdded Decide(AddPlace c) => new(c.PlaceId, c.BodyId, c.Name, c.Address, c.Permanence, c.AddedBy);

    public static AddPlace Command(Guid placeId, Guid bodyId, AddPlaceRequest r, string by)
    {
        var a = r.Address!;
        var address = new Address(Blank(a.Line), Blank(a.PostalCode), a.CommuneInsee, Blank(a.Commune), Blank(a.Complement));
        var permanence = r.Permanence is { } p
            ? new PermanenceSchedule(p.From, p.To, p.Days.Distinct().Order().ToArray(), p.Opens, p.Closes)
            : null;
        return new AddPlace(placeId, bodyId, r.Name.Trim(), address, permanence, by);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

public static class AddPlaceEndpoint
{
    public static RouteGroupBuilder MapAddPlace(this RouteGroupBuilder group)
    {
        group.MapPost("/bodies/{id:guid}/places", Handle)
            .AcceptsIdempotencyKey()
            .WithName("addPlace")
            .WithSummary("Add a place or permanence to a body")
            .WithDescription("A place with its address and, for a permanence, its recurrence (from/to dates, days of the week, " +
                "opening and closing times). The body's coordinators and administrators. Accepts an Idempotency-Key header.")
            .Produces<PlaceCreated>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return group;
    }

    private static async Task<IResult> Handle(Guid id, AddPlaceRequest request, Caller caller, IDocumentSession session, HttpContext http)
    {
        if (!caller.CanManage(id)) return Access.CannotManage();
        var errors = AddPlaceDecider.Validate(request);
        if (errors.Count > 0) return Problems.Invalid(errors);
        if (!await session.Exists<Body>(id, http.RequestAborted)) return Problems.NotFound();

        var command = AddPlaceDecider.Command(Guid.CreateVersion7(), id, request, caller.Subject);
        session.Events.StartStream<Place>(command.PlaceId, AddPlaceDecider.Decide(command));
        return await session.CreatedAsync(http, $"/bodies/{id}/places/{command.PlaceId}", new PlaceCreated(command.PlaceId), version: 1);
    }
}
