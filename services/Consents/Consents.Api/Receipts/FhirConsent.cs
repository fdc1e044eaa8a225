using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Consents.Api.Access;
using Consents.Api.Consents.Listing;
using Consents.Api.Copies;
using Consents.Api.Persons.GettingDetails;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Http;
using Marten;

namespace Consents.Api.Receipts;

// One consent as an HL7 FHIR R5 Consent resource, hand-built (no FHIR library here): the subject is the
// person, the grantee the body, decision permit, and a single provision with the purpose, the period, the
// body as information recipient and the data categories.

public sealed record FhirConsent(string ResourceType, string Id, IReadOnlyList<FhirIdentifier> Identifier, string Status,
    IReadOnlyList<FhirCodeableConcept> Category, FhirReference Subject, string Date, FhirPeriod Period, IReadOnlyList<FhirReference> Grantor,
    IReadOnlyList<FhirReference> Grantee, string Decision, IReadOnlyList<FhirProvision> Provision);

public sealed record FhirIdentifier(string System, string Value);

public sealed record FhirCoding(string System, string Code, string? Display = null);

public sealed record FhirCodeableConcept(IReadOnlyList<FhirCoding> Coding, string? Text = null);

public sealed record FhirReference(string? Reference, string? Type = null, string? Display = null);

public sealed record FhirPeriod(string Start, string End);

public sealed record FhirProvisionActor(FhirCodeableConcept Role, FhirReference Reference);

public sealed record FhirProvision(FhirPeriod Period, IReadOnlyList<FhirProvisionActor> Actor, IReadOnlyList<FhirCoding> Purpose,
    IReadOnlyList<FhirCodeableConcept> Code);

public static class FhirConsents
{
    public const string MediaType = "application/fhir+json";
    public const string PurposeSystem = "urn:coordination:purpose";
    public const string CategorySystem = "urn:coordination:category";

    /// <summary>FHIR JSON: camelCase members, absent rather than null.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>A FHIR dateTime/instant in UTC with milliseconds.</summary>
    public static string Instant(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Pure: the consent as a FHIR R5 Consent as of <paramref name="now"/>.</summary>
    public static FhirConsent Build(PersonDetails person, ConsentDetails consent, IReadOnlyDictionary<Guid, BodyCopy> bodies, DateTimeOffset now)
    {
        var bodyName = bodies.TryGetValue(consent.BodyId, out var body) ? body.Name : null;
        var grantee = new FhirReference($"Organization/{consent.BodyId}", "Organization", bodyName);
        var period = new FhirPeriod(Instant(consent.ValidFrom), Instant(consent.ValidUntil));
        var grantor = consent.GivenBy == ConsentGiver.Person
            ? new FhirReference($"Patient/{person.Id}", "Patient", person.DisplayName)
            : new FhirReference(null, "RelatedPerson",
                $"Représentant légal ({(person.LegalRepresentative is { } r ? Codes.Of(r.Mandate) : "mandat")})");
        return new FhirConsent(
            "Consent",
            consent.Id.ToString(),
            [new FhirIdentifier("urn:ietf:rfc:3986", $"urn:uuid:{consent.Id}")],
            consent.StatusAt(now) == ConsentStatus.Active ? "active" : "inactive",
            [new FhirCodeableConcept([new FhirCoding("http://loinc.org", "59284-0", "Patient Consent")])],
            new FhirReference($"Patient/{person.Id}", "Patient", person.DisplayName),
            consent.ValidFrom.ToUniversalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            period,
            [grantor],
            [grantee],
            "permit",
            [new FhirProvision(period,
                [new FhirProvisionActor(
                    new FhirCodeableConcept([new FhirCoding("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP", "information recipient")]),
                    grantee)],
                [new FhirCoding(PurposeSystem, consent.Purpose, ConsentReceipts.Describe(consent.Purpose))],
                consent.Categories.Select(c => new FhirCodeableConcept([new FhirCoding(CategorySystem, c)])).ToList())]);
    }
}

public static class GetFhirConsentEndpoint
{
    public static RouteGroupBuilder MapGetFhirConsent(this RouteGroupBuilder group)
    {
        group.MapGet("/persons/{id:guid}/consents/{consentId:guid}/fhir", Handle)
            .WithName("getFhirConsent")
            .WithSummary("One consent as an HL7 FHIR R5 Consent")
            .WithDescription("application/fhir+json: grantee the body, decision permit, provision with purpose, period, recipient and data " +
                "categories; status active or inactive (revoked, expired). Same readers as the consent receipt.")
            .Produces<FhirConsent>(StatusCodes.Status200OK, FhirConsents.MediaType)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> Handle(Guid id, Guid consentId, PersonAccess access, IDocumentSession session, HttpContext http)
    {
        var check = await access.ReadAsRegistrarAsync(id, http.RequestAborted);
        if (check.Problem is { } problem) return problem;
        var admission = check.Admitted!;
        var consent = await session.LoadAsync<ConsentDetails>(consentId, http.RequestAborted);
        // As for the grant's JSON view: a grant the reader may not see is a denied read, logged, answered as unknown.
        if (consent is null || consent.PersonId != id || !access.MayNameBody(admission, consent.BodyId))
            return await access.RefuseAsync(id, [Categories.Identity], http.RequestAborted);
        var bodies = await BodyNames.LoadAsync(session, [consent.BodyId], http.RequestAborted);
        var resource = FhirConsents.Build(admission.Person, consent, bodies, access.Now);
        await access.RecordReadAsync(admission, [Categories.Identity], [], http.RequestAborted);
        return TypedResults.Json(resource, FhirConsents.Json, FhirConsents.MediaType);
    }
}
