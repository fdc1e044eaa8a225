using System.ComponentModel.DataAnnotations;
using Consents.Api.Access;
using Consents.Api.Consents;
using Consents.Api.Consents.Expiring;
using Consents.Api.Consents.Granting;
using Consents.Api.Persons.Activating;
using Consents.Api.Persons.GettingDetails;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Http;
using Marten;
using Npgsql;

namespace Consents.Api.Persons.Registering;

public sealed record LegalRepresentativeRequest(
    [property: Required, StringLength(100)] string? Name = null,
    [property: Required] Mandate? Mandate = null,
    [property: Required, StringLength(50)] string? MandateReference = null);

public sealed record RegisterPersonRequest(
    [property: Required, StringLength(100)] string? GivenName = null,
    [property: Required, StringLength(100)] string? FamilyName = null,
    [property: Required] DateOnly? BirthDate = null,
    [property: StringLength(30)] string? Phone = null,
    [property: StringLength(254)] string? Email = null,
    [property: Required] ConsentCollection? ConsentCollection = null,
    ConsentGiver? ConsentGivenBy = null,
    LegalRepresentativeRequest? LegalRepresentative = null,
    [property: Required] GrantRequest[]? Grants = null);

public sealed record RegisterPerson(Guid PersonId, string GivenName, string FamilyName, DateOnly BirthDate, string? Phone, string? Email,
    ConsentCollection Collection, ConsentGiver GivenBy, LegalRepresentative? LegalRepresentative, IReadOnlyList<GrantConsent> Grants,
    string ActivationCode, Guid BodyId, Actor By, DateTimeOffset Now);

/// <summary>
/// The first answer. The activation code is shown once: an Idempotency-Key replay gives this answer
/// without it (the code is never stored in clear), and the registering body can issue a new one.
/// </summary>
public sealed record PersonCreated(Guid Id, string DisplayName, string? ActivationCode, DateTimeOffset ActivationCodeExpiresAt, Guid[] ConsentIds);

public sealed record PersonEvents(PersonRegistered Registered, ActivationCodeIssued Activation, IReadOnlyList<ConsentGranted> Grants);

public static class RegisterPersonDecider
{
    public static readonly DateOnly EarliestBirthDate = new(1900, 1, 1);

    /// <summary>Identity, consent collection and the grants, checked before anything is written.</summary>
    public static Dictionary<string, string[]> Validate(RegisterPersonRequest request, DateTimeOffset now, IReadOnlySet<Guid> knownBodies,
        out (string? Phone, string? Email) contact, out DateTimeOffset[] untils)
    {
        var errors = new Dictionary<string, string[]>();
        Annotations.Validate(request, "", errors);
        Annotations.Validate(request.LegalRepresentative, "legalRepresentative.", errors);
        if (string.IsNullOrWhiteSpace(request.GivenName) || !request.GivenName.Any(char.IsLetter)) errors["givenName"] = ["Required, with at least one letter."];
        if (string.IsNullOrWhiteSpace(request.FamilyName) || !request.FamilyName.Any(char.IsLetter)) errors["familyName"] = ["Required, with at least one letter."];
        if (request.BirthDate is not { } birth) errors["birthDate"] = ["Required."];
        else if (birth < EarliestBirthDate || birth > DateOnly.FromDateTime(now.UtcDateTime)) errors["birthDate"] = ["Between 1900-01-01 and today."];
        contact = ContactDetails.Validate(request.Phone, request.Email, "phone", "email", errors);

        if (request.ConsentCollection is null) errors["consentCollection"] = ["Required: in_person, signed_form or online."];
        if (request.ConsentGivenBy == ConsentGiver.LegalRepresentative && request.LegalRepresentative is null)
        {
            errors["legalRepresentative"] = ["Required when the consent is given by a legal representative."];
        }
        if (request.LegalRepresentative is { } representative)
        {
            if (string.IsNullOrWhiteSpace(representative.Name)) errors["legalRepresentative.name"] = ["Required."];
            if (representative.Mandate is null) errors["legalRepresentative.mandate"] = ["Required: tutelle or curatelle."];
            if (string.IsNullOrWhiteSpace(representative.MandateReference)) errors["legalRepresentative.mandateReference"] = ["Required."];
        }

        var grants = request.Grants ?? [];
        if (grants.Length == 0) errors["grants"] = ["At least one grant: what the person agrees to share, with whom and why."];
        untils = new DateTimeOffset[grants.Length];
        for (var i = 0; i < grants.Length; i++)
        {
            var g = grants[i];
            if (g is null)
            {
                errors[$"grants[{i}]"] = ["A grant, not null."];
                continue;
            }
            Annotations.Validate(g, $"grants[{i}].", errors);
            untils[i] = GrantConsentDecider.Validate(g.BodyId, g.Categories, g.Purpose, g.ValidUntil, $"grants[{i}].", now, knownBodies, errors);
        }
        return errors;
    }

    public static PersonEvents Decide(RegisterPerson command)
    {
        var given = PersonNames.Clean(command.GivenName);
        var family = PersonNames.Clean(command.FamilyName);
        var registered = new PersonRegistered(command.PersonId, given, family, command.BirthDate, command.Phone, command.Email,
            PersonNames.DisplayName(given, family), command.Collection, command.GivenBy, command.LegalRepresentative, command.BodyId,
            command.By, command.Now);
        var activation = ActivationCodes.Issue(command.PersonId, command.ActivationCode, command.Now, command.By);
        var grants = command.Grants.Select(g => GrantConsentDecider.Decide(g, command.LegalRepresentative is not null).Event!).ToList();
        return new PersonEvents(registered, activation, grants);
    }

    /// <summary>
    /// Appends a registration: the person's stream, one stream per grant, and the registering body's
    /// involvement (the gate's record), all in the caller's transaction. The endpoint and the demo seed both use it.
    /// </summary>
    public static async Task AppendAsync(IDocumentSession session, PersonEvents events, CancellationToken ct)
    {
        var registered = events.Registered;
        session.Events.StartStream<Person>(registered.PersonId, registered, events.Activation);
        foreach (var granted in events.Grants) session.Events.StartStream<Consent>(granted.ConsentId, granted);
        await Involvements.Involve(session, registered.PersonId, registered.RegisteredByBodyId, InvolvementKind.Registered, null,
            registered.RegisteredAt, ct);
    }
}

public static class RegisterPersonEndpoint
{
    public static RouteGroupBuilder MapRegisterPerson(this RouteGroupBuilder group)
    {
        group.MapPost("/persons", Handle)
            .AcceptsIdempotencyKey()
            .WithName("registerPerson")
            .WithSummary("Register a person with the consents they give")
            .WithDescription("A professional registers the person (identity, how consent was collected, who gave it) and the grants collected " +
                "with them. The answer carries a 10-character activation code, valid 30 days, shown once. If a person with the same family " +
                "name, given name and birth date exists (accents and case ignored): 409 'duplicate-person' with their id when your body may " +
                "read their identity, otherwise 409 'possible-duplicate' without id (and the attempt is in that person's access log). " +
                "Accepts an Idempotency-Key header.")
            .Produces<PersonCreated>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static async Task<IResult> Handle(RegisterPersonRequest request, PersonAccess access, IDocumentSession session, ExpirySignal expiry,
        ILoggerFactory loggers, HttpContext http)
    {
        var caller = access.Caller;
        if (!caller.IsProfessional) return Problems.Forbidden("Only a professional of a body registers a person.");
        var now = access.Now;
        var known = await GrantConsentDecider.KnownBodiesAsync(session, (request.Grants ?? []).Select(g => g?.BodyId), http.RequestAborted);
        var errors = RegisterPersonDecider.Validate(request, now, known, out var contact, out var untils);
        if (errors.Count > 0) return Problems.Invalid(errors);

        var matchKey = PersonNames.MatchKey(request.FamilyName!, request.GivenName!, request.BirthDate!.Value);
        var existing = await session.Query<PersonDetails>().Where(p => p.MatchKey == matchKey).ToListAsync(http.RequestAborted);
        if (existing.Count > 0) return await Duplicate(existing[0], access, http);

        var personId = Guid.CreateVersion7();
        var by = Actor.Of(caller);
        var representative = request.LegalRepresentative is { } r
            ? new LegalRepresentative(PersonNames.Clean(r.Name!), r.Mandate!.Value, r.MandateReference!.Trim())
            : null;
        var givenBy = request.ConsentGivenBy ?? ConsentGiver.Person;
        var grants = request.Grants!.Select((g, i) => new GrantConsent(Guid.CreateVersion7(), personId, g.BodyId!.Value, g.Categories!, g.Purpose!,
            now, untils[i], givenBy, request.ConsentCollection!.Value, by)).ToList();
        var code = ActivationCodes.New();
        var events = RegisterPersonDecider.Decide(new RegisterPerson(personId, request.GivenName!, request.FamilyName!, request.BirthDate.Value,
            contact.Phone, contact.Email, request.ConsentCollection!.Value, givenBy, representative, grants, code, caller.BodyId!.Value, by, now));
        await RegisterPersonDecider.AppendAsync(session, events, http.RequestAborted);

        var created = new PersonCreated(personId, events.Registered.DisplayName, code, events.Activation.ExpiresAt,
            events.Grants.Select(g => g.ConsentId).ToArray());
        IResult result;
        try
        {
            // What is kept for an Idempotency-Key replay has no code; the live answer has it.
            result = await session.CreatedAsync(http, $"/persons/{personId}", created with { ActivationCode = null }, version: 2);
        }
        catch (Exception e) when (IsMatchKeyTaken(e))
        {
            // Registered by someone else between our check and our commit: nothing of ours was written.
            return PossibleDuplicate();
        }
        expiry.Wake();
        loggers.CreateLogger(typeof(RegisterPersonEndpoint)).LogInformation("Person {PersonId} registered by body {BodyId} with {Grants} grants", personId, caller.BodyId, grants.Count);
        return result is Microsoft.AspNetCore.Http.HttpResults.Created<object> ? TypedResults.Created($"/persons/{personId}", created) : result;
    }

    /// <summary>
    /// Another registration of the same person: its id only to a body that may read that person's identity.
    /// Either way the attempt is in that person's access log.
    /// </summary>
    private static async Task<IResult> Duplicate(PersonDetails existing, PersonAccess access, HttpContext http)
    {
        var facts = await access.Gate.FactsAsync(existing.Id, http.RequestAborted);
        var decision = access.Gate.Decide(facts, Categories.Identity);
        if (!decision.Allowed)
        {
            access.Gate.RecordDenied(existing.Id, [Categories.Identity]);
            await access.CommitAsync(http.RequestAborted);
            return PossibleDuplicate();
        }
        access.Gate.RecordRead(existing.Id, [Categories.Identity], [], decision.Basis, decision.ConsentId);
        await access.CommitAsync(http.RequestAborted);
        return Problems.Conflict("duplicate-person", "This person is already registered",
            "A person with the same family name, given name and birth date is registered; your body may read their record.",
            new Dictionary<string, object?> { ["existingId"] = existing.Id });
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult PossibleDuplicate() =>
        Problems.Conflict("possible-duplicate", "This person may already be registered",
            "A person with the same family name, given name and birth date is registered, and has not given your body access. " +
            "Ask the person to grant your body a consent, or to be referred to you by a body that follows them.");

    private static bool IsMatchKeyTaken(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg && (pg.ConstraintName ?? "").Contains("match_key", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}
