using System.ComponentModel.DataAnnotations;
using Consents.Api.Access;
using Consents.Api.Consents.Listing;
using Coordination.ServiceDefaults.Http;
using Marten;

namespace Consents.Api.Consents.Revoking;

/// <summary>
/// A professional says on whose request they revoke and why. The person revokes without having to justify
/// it (withdrawing must be as easy as consenting); they may still say why.
/// </summary>
public sealed record RevokeConsentRequest(RevokedBy? RevokedBy = null, [property: StringLength(500)] string? Reason = null);

public sealed record RevokeConsent(Guid ConsentId, RevokedBy RevokedBy, string? Reason, Actor RecordedBy, DateTimeOffset Now);

public static class RevokeConsentDecider
{
    /// <summary>Who may claim which requester: the person only themself; a professional the person or their representative.</summary>
    public static Dictionary<string, string[]> Validate(RevokeConsentRequest request, bool bySelf)
    {
        var errors = new Dictionary<string, string[]>();
        Annotations.Validate(request, "", errors);
        if (bySelf)
        {
            if (request.RevokedBy is { } by && by != RevokedBy.Person) errors["revokedBy"] = ["A person revokes their own consent: 'person'."];
        }
        else
        {
            if (request.RevokedBy is null) errors["revokedBy"] = ["Required: 'professional_on_request' or 'legal_representative'."];
            else if (request.RevokedBy == RevokedBy.Person) errors["revokedBy"] = ["A professional revokes at the person's request: 'professional_on_request'."];
            if (string.IsNullOrWhiteSpace(request.Reason)) errors["reason"] = ["Required when a professional revokes a consent."];
        }
        return errors;
    }

    /// <summary>Only an active grant can be revoked; the refusal carries the grant's current state.</summary>
    public static Decided<ConsentRevoked> Decide(Consent consent, RevokeConsent command, bool personHasLegalRepresentative)
    {
        var status = consent.StatusAt(command.Now);
        if (status != ConsentStatus.Active)
        {
            return new Refusal(status == ConsentStatus.Revoked ? "consent-already-revoked" : "consent-expired",
                status == ConsentStatus.Revoked ? "This consent is already revoked" : "This consent has expired",
                "Only an active consent can be revoked.",
                new Dictionary<string, object?>
                {
                    ["status"] = Codes.Of(status),
                    ["validUntil"] = consent.ValidUntil,
                    ["revokedAt"] = consent.RevokedAt,
                    ["expiredAt"] = status == ConsentStatus.Expired ? consent.ExpiredAt ?? consent.ValidUntil : null,
                });
        }
        if (command.RevokedBy == RevokedBy.LegalRepresentative && !personHasLegalRepresentative)
        {
            return new Refusal("no-legal-representative", "No legal representative on record",
                "This person has no legal representative (tutelle, curatelle) on record.",
                new Dictionary<string, object?> { ["status"] = Codes.Of(status), ["legalRepresentative"] = null });
        }
        var reason = string.IsNullOrWhiteSpace(command.Reason) ? null : command.Reason.Trim();
        return new ConsentRevoked(consent.Id, consent.PersonId, consent.BodyId, command.RevokedBy, reason, command.RecordedBy, command.Now);
    }
}

public static class RevokeConsentEndpoint
{
    public static RouteGroupBuilder MapRevokeConsent(this RouteGroupBuilder group)
    {
        group.MapPost("/persons/{id:guid}/consents/{consentId:guid}/revoke", Revoke)
            .RequireIfMatch()
            .WithName("revokeConsent")
            .WithSummary("Revoke a consent")
            .WithDescription("The person, or a professional of an involved body at the person's or their legal representative's request " +
                "(revokedBy and a reason required). Takes effect here at once and in the other services as soon as they receive it. " +
                "Requires If-Match with the consent's ETag; a revoked or expired consent gives 409 with its state.")
            .Produces<ConsentView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    public static RouteGroupBuilder MapRevokeMyConsent(this RouteGroupBuilder group)
    {
        group.MapPost("/me/consents/{consentId:guid}/revoke", RevokeMine)
            .RequireIfMatch()
            .WithName("revokeMyConsent")
            .WithSummary("Revoke one of my consents")
            .WithDescription("Stops sharing at once; a reason is optional. Requires If-Match with the consent's ETag.")
            .Produces<ConsentView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static Task<IResult> RevokeMine(Guid consentId, RevokeConsentRequest? request, PersonAccess access, IDocumentSession session,
        ILoggerFactory loggers, HttpContext http) =>
        Revoke(access.Caller.PersonId!.Value, consentId, request, access, session, loggers, http);

    private static async Task<IResult> Revoke(Guid id, Guid consentId, RevokeConsentRequest? request, PersonAccess access,
        IDocumentSession session, ILoggerFactory loggers, HttpContext http)
    {
        var check = await access.ActAsync(id, http.RequestAborted);
        if (check.Problem is { } problem) return problem;
        var admission = check.Admitted!;
        request ??= new RevokeConsentRequest(null, null);

        var errors = RevokeConsentDecider.Validate(request, admission.IsSelf);
        if (errors.Count > 0) return Problems.Invalid(errors);

        // Ownership first, so that a consent of someone else answers 404 whatever version is sent.
        var details = await session.LoadAsync<ConsentDetails>(consentId, http.RequestAborted);
        if (details is null || details.PersonId != id || !access.MayNameBody(admission, details.BodyId)) return Problems.NotFound();
        var stream = await session.Events.FetchForWriting<Consent>(consentId, http.ExpectedVersion(), http.RequestAborted);
        var consent = stream.Aggregate!;

        var command = new RevokeConsent(consentId, request.RevokedBy ?? RevokedBy.Person, request.Reason, Actor.Of(access.Caller), access.Now);
        var decided = RevokeConsentDecider.Decide(consent, command, admission.Person.LegalRepresentative is not null);
        if (decided.Refusal is { } refusal) return refusal.ToProblem();

        stream.AppendOne(decided.Event!);
        var revoked = ConsentDetailsProjection.Apply(decided.Event!, details) with { Version = http.ExpectedVersion() + 1 };
        var view = (await ConsentView.LoadAsync(session, [revoked], access.Now, admission.IsSelf, http.RequestAborted))[0];
        var result = await session.UpdatedAsync(http, http.ExpectedVersion() + 1, view);
        loggers.CreateLogger(typeof(RevokeConsentEndpoint)).LogInformation("Consent {ConsentId} of person {PersonId} revoked ({RevokedBy})",
            consentId, id, Codes.Of(command.RevokedBy));
        return result;
    }
}
