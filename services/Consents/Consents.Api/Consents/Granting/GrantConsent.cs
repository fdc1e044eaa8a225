using System.ComponentModel.DataAnnotations;
using Consents.Api.Access;
using Consents.Api.Consents.Expiring;
using Consents.Api.Consents.Listing;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Http;
using Marten;

namespace Consents.Api.Consents.Granting;

/// <summary>A grant as the person asks for it (also one of the grants collected at registration).</summary>
public sealed record GrantRequest(
    [property: Required] Guid? BodyId = null,
    [property: Required] string[]? Categories = null,
    [property: Required] string? Purpose = null,
    DateTimeOffset? ValidUntil = null);

/// <summary>A grant a professional records at the person's request: how it was collected and who gave it.</summary>
public sealed record RecordConsentRequest(
    [property: Required] Guid? BodyId = null,
    [property: Required] string[]? Categories = null,
    [property: Required] string? Purpose = null,
    DateTimeOffset? ValidUntil = null,
    ConsentCollection? Collection = null,
    ConsentGiver? GivenBy = null);

public sealed record GrantConsent(Guid ConsentId, Guid PersonId, Guid BodyId, string[] Categories, string Purpose, DateTimeOffset Now,
    DateTimeOffset ValidUntil, ConsentGiver GivenBy, ConsentCollection Collection, Actor RecordedBy);

public static class GrantConsentDecider
{
    /// <summary>
    /// The rules of one grant, with errors named from <paramref name="prefix"/> (e.g. <c>grants[1].</c>): a known
    /// body, one or more known categories, a known purpose, an end in the future and at most 36 months away.
    /// </summary>
    public static DateTimeOffset Validate(Guid? bodyId, string[]? categories, string? purpose, DateTimeOffset? validUntil, string prefix,
        DateTimeOffset now, IReadOnlySet<Guid> knownBodies, IDictionary<string, string[]> errors)
    {
        if (bodyId is not { } body || body == Guid.Empty) errors[prefix + "bodyId"] = ["Required."];
        else if (!knownBodies.Contains(body)) errors[prefix + "bodyId"] = ["No body with this id in the directory."];

        if (categories is null || categories.Length == 0) errors[prefix + "categories"] = ["At least one category."];
        else
        {
            for (var i = 0; i < categories.Length; i++)
            {
                if (!Categories.IsKnown(categories[i])) errors[$"{prefix}categories[{i}]"] = [$"Unknown category: use one of {string.Join(", ", Categories.All)}."];
            }
        }
        if (string.IsNullOrEmpty(purpose)) errors[prefix + "purpose"] = ["Required."];
        else if (!Purposes.IsKnown(purpose)) errors[prefix + "purpose"] = [$"Unknown purpose: use one of {string.Join(", ", Purposes.All)}."];

        var (until, error) = ConsentPeriod.Resolve(now, validUntil);
        if (error is not null) errors[prefix + "validUntil"] = [error];
        return until;
    }

    /// <summary>
    /// How the consent was collected: the person gives their own online; at a desk it is collected in person
    /// (the default) or on a signed form, from the person or their legal representative.
    /// </summary>
    public static ConsentCollection CollectionOf(RecordConsentRequest request, bool bySelf, IDictionary<string, string[]> errors)
    {
        if (bySelf)
        {
            if (request.Collection is not null and not ConsentCollection.Online) errors["collection"] = ["A person's own consent is collected online."];
            if (request.GivenBy == ConsentGiver.LegalRepresentative) errors["givenBy"] = ["A person gives their own consent."];
            return ConsentCollection.Online;
        }
        if (request.Collection == ConsentCollection.Online) errors["collection"] = ["A professional records consents collected in person or on a signed form."];
        return request.Collection ?? ConsentCollection.InPerson;
    }

    /// <summary>Categories once each, in the order of the vocabulary, so two equal grants look equal.</summary>
    public static string[] Normalize(IEnumerable<string> categories) => Categories.All.Where(categories.Contains).ToArray();

    /// <summary>A grant given by a legal representative needs one on the person's record.</summary>
    public static Decided<ConsentGranted> Decide(GrantConsent command, bool personHasLegalRepresentative)
    {
        if (command.GivenBy == ConsentGiver.LegalRepresentative && !personHasLegalRepresentative)
        {
            return new Refusal("no-legal-representative", "No legal representative on record",
                "This person has no legal representative (tutelle, curatelle) on record, so a consent cannot be given by one.",
                new Dictionary<string, object?> { ["legalRepresentative"] = null });
        }
        return new ConsentGranted(command.ConsentId, command.PersonId, command.BodyId, Normalize(command.Categories), command.Purpose,
            command.Now, command.ValidUntil, command.GivenBy, command.Collection, command.RecordedBy);
    }

    public static async Task<IReadOnlySet<Guid>> KnownBodiesAsync(IQuerySession session, IEnumerable<Guid?> ids, CancellationToken ct)
    {
        var wanted = ids.Where(i => i is not null).Select(i => i!.Value).Distinct().ToArray();
        if (wanted.Length == 0) return new HashSet<Guid>();
        var found = await session.LoadManyAsync<BodyCopy>(ct, wanted);
        return found.Select(b => b.Id).ToHashSet();
    }
}

public static class GrantConsentEndpoint
{
    public static RouteGroupBuilder MapRecordConsent(this RouteGroupBuilder group)
    {
        group.MapPost("/persons/{id:guid}/consents", Record)
            .AcceptsIdempotencyKey()
            .WithName("recordConsent")
            .WithSummary("Record a consent at the person's request")
            .WithDescription("A professional of a body involved with the person records a grant the person gives at the desk (or their " +
                "legal representative): body × categories × purpose, 12 months unless validUntil says otherwise, at most 36. " +
                "Accepts an Idempotency-Key header.")
            .Produces<ConsentView>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    public static RouteGroupBuilder MapGrantMyConsent(this RouteGroupBuilder group)
    {
        group.MapPost("/me/consents", GrantMine)
            .AcceptsIdempotencyKey()
            .WithName("grantMyConsent")
            .WithSummary("Give a consent")
            .WithDescription("The person shares categories of their data with a body, for a purpose, for 12 months unless validUntil says " +
                "otherwise (at most 36). Accepts an Idempotency-Key header.")
            .Produces<ConsentView>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static Task<IResult> GrantMine(GrantRequest request, PersonAccess access, IDocumentSession session, ExpirySignal expiry, HttpContext http) =>
        Record(access.Caller.PersonId!.Value, new RecordConsentRequest(request.BodyId, request.Categories, request.Purpose, request.ValidUntil, null, null),
            access, session, expiry, http);

    private static async Task<IResult> Record(Guid id, RecordConsentRequest request, PersonAccess access, IDocumentSession session,
        ExpirySignal expiry, HttpContext http)
    {
        var check = await access.ActAsync(id, http.RequestAborted);
        if (check.Problem is { } problem) return problem;
        var admission = check.Admitted!;

        var now = access.Now;
        var errors = new Dictionary<string, string[]>();
        Annotations.Validate(request, "", errors);
        var known = await GrantConsentDecider.KnownBodiesAsync(session, [request.BodyId], http.RequestAborted);
        var until = GrantConsentDecider.Validate(request.BodyId, request.Categories, request.Purpose, request.ValidUntil, "", now, known, errors);
        var collection = GrantConsentDecider.CollectionOf(request, admission.IsSelf, errors);
        if (errors.Count > 0) return Problems.Invalid(errors);

        var command = new GrantConsent(Guid.CreateVersion7(), id, request.BodyId!.Value, request.Categories!, request.Purpose!, now, until,
            request.GivenBy ?? ConsentGiver.Person, collection, Actor.Of(access.Caller));
        var decided = GrantConsentDecider.Decide(command, admission.Person.LegalRepresentative is not null);
        if (decided.Refusal is { } refusal) return refusal.ToProblem();

        var granted = decided.Event!;
        session.Events.StartStream<Consent>(granted.ConsentId, granted);
        var view = (await ConsentView.LoadAsync(session, [ConsentDetailsProjection.Create(granted) with { Version = 1 }], now, withReason: true,
            http.RequestAborted))[0];
        var result = await session.CreatedAsync(http, $"/persons/{id}/consents/{granted.ConsentId}", view, version: 1);
        expiry.Wake();
        return result;
    }
}
