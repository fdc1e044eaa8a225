using System.ComponentModel.DataAnnotations;
using Consents.Api.Access;
using Consents.Api.Companions.Listing;
using Consents.Api.Consents.Granting;
using Consents.Api.Copies;
using Consents.Api.Persons;
using Coordination.Secrecy;
using Coordination.ServiceDefaults.Http;
using Marten;

namespace Consents.Api.Companions.Choosing;

/// <summary>
/// Either a platform user (<see cref="UserSubject"/>: their Identity subject; their name comes from
/// Identity) or a named person with optional contact details. The categories are what the companion may
/// see of the person's data; none is fine (someone who only comes along).
/// </summary>
public sealed record ChooseCompanionRequest(
    [property: StringLength(200)] string? UserSubject = null,
    [property: StringLength(100)] string? DisplayName = null,
    [property: StringLength(30)] string? Phone = null,
    [property: StringLength(254)] string? Email = null,
    [property: Required] Relationship? Relationship = null,
    bool AttendsAppointments = false,
    bool ReceivesNotifications = false,
    string[]? Categories = null,
    DateTimeOffset? ValidUntil = null);

public sealed record ChooseCompanion(Guid CompanionId, Guid PersonId, string? UserSubject, string DisplayName, Relationship Relationship,
    bool AttendsAppointments, bool ReceivesNotifications, string[] Categories, DateTimeOffset? ValidUntil, string? Phone, string? Email,
    Actor ChosenBy, DateTimeOffset Now);

public static class ChooseCompanionDecider
{
    /// <summary><paramref name="user"/> is the local copy of the login named by userSubject, if any.</summary>
    public static Dictionary<string, string[]> Validate(ChooseCompanionRequest request, UserCopy? user, DateTimeOffset now,
        out (string? Phone, string? Email) contact)
    {
        var errors = new Dictionary<string, string[]>();
        Annotations.Validate(request, "", errors);
        var isUser = !string.IsNullOrWhiteSpace(request.UserSubject);
        var isNamed = !string.IsNullOrWhiteSpace(request.DisplayName);
        contact = (null, null);
        if (isUser == isNamed)
        {
            errors[isUser ? "displayName" : "userSubject"] = ["Either userSubject (a platform user) or displayName (a named person), not both."];
        }
        else if (isUser)
        {
            if (user is null) errors["userSubject"] = ["No platform user with this subject."];
            if (request.Phone is not null) errors["phone"] = ["A platform user is reached through the platform: no phone."];
            if (request.Email is not null) errors["email"] = ["A platform user is reached through the platform: no e-mail."];
        }
        else
        {
            var name = PersonNames.Clean(request.DisplayName!);
            if (name.Length < 2 || !name.Any(char.IsLetter)) errors["displayName"] = ["At least two characters, with a letter."];
            contact = ContactDetails.Validate(request.Phone, request.Email, "phone", "email", errors);
        }
        if (request.Relationship is null) errors["relationship"] = ["Required: peer_worker, volunteer, relative, friend or other."];
        var categories = request.Categories ?? [];
        for (var i = 0; i < categories.Length; i++)
        {
            if (!Categories.IsKnown(categories[i])) errors[$"categories[{i}]"] = [$"Unknown category: use one of {string.Join(", ", Categories.All)}."];
        }
        if (request.ValidUntil is { } until && until <= now) errors["validUntil"] = ["Must be in the future."];
        return errors;
    }

    /// <summary>A platform user is the person's companion once at a time.</summary>
    public static Decided<CompanionChosen> Decide(ChooseCompanion command, IReadOnlyList<CompanionDetails> current)
    {
        var same = command.UserSubject is null ? null : current.FirstOrDefault(c =>
            c.UserSubject == command.UserSubject && CompanionStates.StatusAt(c.RemovedAt, c.ValidUntil, command.Now) == CompanionStatus.Active);
        if (same is not null)
        {
            return new Refusal("companion-already-chosen", "Already a companion",
                "This user is already one of the person's companions; remove them first to change what they may do.",
                new Dictionary<string, object?> { ["existingId"] = same.Id, ["status"] = Codes.Of(CompanionStatus.Active), ["version"] = same.Version });
        }
        return new CompanionChosen(command.CompanionId, command.PersonId, command.UserSubject, command.DisplayName, command.Relationship,
            command.AttendsAppointments, command.ReceivesNotifications, GrantConsentDecider.Normalize(command.Categories), command.ValidUntil,
            command.Phone, command.Email, command.ChosenBy, command.Now);
    }
}

public static class ChooseCompanionEndpoint
{
    public static RouteGroupBuilder MapRecordCompanion(this RouteGroupBuilder group)
    {
        group.MapPost("/persons/{id:guid}/companions", Choose)
            .AcceptsIdempotencyKey()
            .WithName("recordCompanion")
            .WithSummary("Record the companion a person chose")
            .WithDescription("A professional of an involved body records, at the person's request, a companion (accompagnant): a platform " +
                "user (peer worker, volunteer) or a named person, what they may do (attend appointments, receive notifications — recorded, " +
                "no message is sent in this version) and see (categories), and until when. Accepts an Idempotency-Key header.")
            .Produces<CompanionView>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    public static RouteGroupBuilder MapChooseMyCompanion(this RouteGroupBuilder group)
    {
        group.MapPost("/me/companions", ChooseMine)
            .AcceptsIdempotencyKey()
            .WithName("chooseMyCompanion")
            .WithSummary("Choose a companion")
            .WithDescription("The person chooses someone to come along and, if they wish, to see given categories of their data. " +
                "Accepts an Idempotency-Key header.")
            .Produces<CompanionView>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static Task<IResult> ChooseMine(ChooseCompanionRequest request, PersonAccess access, IDocumentSession session, HttpContext http) =>
        Choose(access.Caller.PersonId!.Value, request, access, session, http);

    private static async Task<IResult> Choose(Guid id, ChooseCompanionRequest request, PersonAccess access, IDocumentSession session, HttpContext http)
    {
        var check = await access.ActAsync(id, http.RequestAborted);
        if (check.Problem is { } problem) return problem;

        var user = string.IsNullOrWhiteSpace(request.UserSubject) ? null : await session.LoadAsync<UserCopy>(request.UserSubject.Trim(), http.RequestAborted);
        var errors = ChooseCompanionDecider.Validate(request, user, access.Now, out var contact);
        if (errors.Count > 0) return Problems.Invalid(errors);

        var current = await session.Query<CompanionDetails>().Where(c => c.PersonId == id).ToListAsync(http.RequestAborted);
        var command = new ChooseCompanion(Guid.CreateVersion7(), id, user?.Id, user?.DisplayName ?? PersonNames.Clean(request.DisplayName!),
            request.Relationship!.Value, request.AttendsAppointments, request.ReceivesNotifications, request.Categories ?? [], request.ValidUntil,
            contact.Phone, contact.Email, Actor.Of(access.Caller), access.Now);
        var decided = ChooseCompanionDecider.Decide(command, current);
        if (decided.Refusal is { } refusal) return refusal.ToProblem();

        var chosen = decided.Event!;
        session.Events.StartStream<Companion>(chosen.CompanionId, chosen);
        var view = (await CompanionView.LoadAsync(session, [CompanionDetailsProjection.Create(chosen) with { Version = 1 }], access.Now,
            http.RequestAborted))[0];
        return await session.CreatedAsync(http, $"/persons/{id}/companions/{chosen.CompanionId}", view, version: 1);
    }
}
