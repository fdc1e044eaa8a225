using System.Text.Json.Serialization;
using Consents.Api.Access;
using Consents.Api.Consents.Listing;
using Consents.Api.Copies;
using Consents.Api.Persons.GettingDetails;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using Marten;

namespace Consents.Api.Receipts;

// A consent receipt shaped after ISO/IEC TS 27560 (consent record information structure): the record, the
// PII principal, and for each consent its purposes with PII categories, recipient parties, period,
// withdrawal method and events (given, withdrawn, expired). Member names follow the standard's snake_case.

public sealed record ConsentReceipt(
    [property: JsonPropertyName("schema_version")] string SchemaVersion,
    [property: JsonPropertyName("record")] ReceiptRecord Record,
    [property: JsonPropertyName("pii_principal")] PiiPrincipal PiiPrincipal,
    [property: JsonPropertyName("collector")] ReceiptParty Collector,
    [property: JsonPropertyName("consents")] IReadOnlyList<ReceiptConsent> Consents);

public sealed record ReceiptRecord(
    [property: JsonPropertyName("record_id")] Guid RecordId,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("generated_at")] DateTimeOffset GeneratedAt,
    [property: JsonPropertyName("language")] string Language,
    [property: JsonPropertyName("jurisdiction")] string Jurisdiction);

public sealed record PiiPrincipal(
    [property: JsonPropertyName("pii_principal_id")] Guid PiiPrincipalId,
    [property: JsonPropertyName("display_name")] string DisplayName,
    [property: JsonPropertyName("represented_by")] Representation? RepresentedBy);

public sealed record Representation(
    [property: JsonPropertyName("mandate")] Mandate Mandate,
    [property: JsonPropertyName("mandate_reference")] string MandateReference);

public sealed record ReceiptParty(
    [property: JsonPropertyName("party_id")] Guid PartyId,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("role")] string Role);

public sealed record ReceiptConsent(
    [property: JsonPropertyName("consent_id")] Guid ConsentId,
    [property: JsonPropertyName("consent_type")] string ConsentType,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("collection_method")] ConsentCollection CollectionMethod,
    [property: JsonPropertyName("given_by")] string GivenBy,
    [property: JsonPropertyName("purposes")] IReadOnlyList<ReceiptPurpose> Purposes,
    [property: JsonPropertyName("recipient_parties")] IReadOnlyList<ReceiptParty> RecipientParties,
    [property: JsonPropertyName("period")] ReceiptPeriod Period,
    [property: JsonPropertyName("withdrawal_method")] WithdrawalMethod WithdrawalMethod,
    [property: JsonPropertyName("events")] IReadOnlyList<ReceiptEvent> Events);

public sealed record ReceiptPurpose(
    [property: JsonPropertyName("purpose")] string Purpose,
    [property: JsonPropertyName("purpose_description")] string PurposeDescription,
    [property: JsonPropertyName("legal_basis")] string LegalBasis,
    [property: JsonPropertyName("pii_categories")] IReadOnlyList<string> PiiCategories);

public sealed record ReceiptPeriod(
    [property: JsonPropertyName("start")] DateTimeOffset Start,
    [property: JsonPropertyName("end")] DateTimeOffset End);

public sealed record WithdrawalMethod(
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("self_service")] string SelfService);

public sealed record ReceiptEvent(
    [property: JsonPropertyName("event_type")] string EventType,
    [property: JsonPropertyName("event_time")] DateTimeOffset EventTime,
    [property: JsonPropertyName("event_by")] string EventBy,
    [property: JsonPropertyName("recorded_by")] ReceiptRecorder? RecordedBy);

public sealed record ReceiptRecorder(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("body")] ReceiptParty? Body);

public static class ConsentReceipts
{
    public const string SchemaVersion = "ISO/IEC TS 27560:2023";

    /// <summary>What each purpose means, in the words the person reads.</summary>
    public static string Describe(string purpose) => purpose switch
    {
        Purposes.FollowUpCoordination => "Coordonner votre suivi entre les organismes qui vous accompagnent.",
        Purposes.AppointmentBooking => "Prendre des rendez-vous pour vous et les préparer.",
        Purposes.RightsReview => "Revoir vos droits plus tard (enregistré, ne donne accès à aucune donnée).",
        _ => purpose,
    };

    /// <summary>Pure: the receipt of a person's consents as of <paramref name="now"/>.</summary>
    public static ConsentReceipt Build(PersonDetails person, IReadOnlyList<ConsentDetails> consents, IReadOnlyDictionary<Guid, BodyCopy> bodies,
        DateTimeOffset now)
    {
        ReceiptParty Party(Guid id, string role) => new(id, bodies.TryGetValue(id, out var b) ? b.Name : null, role);
        ReceiptRecorder Recorder(Actor a) => new(a.Name, a.Role, a.BodyId is { } body ? Party(body, "recorder") : null);
        string GivenBy(ConsentGiver g) => g == ConsentGiver.Person ? "pii_principal" : "legal_representative";

        var items = consents.OrderBy(c => c.ValidFrom).ThenBy(c => c.Id).Select(c =>
        {
            var status = c.StatusAt(now);
            var events = new List<ReceiptEvent> { new("given", c.ValidFrom, GivenBy(c.GivenBy), Recorder(c.RecordedBy)) };
            if (c.RevokedAt is { } revokedAt)
            {
                events.Add(new("withdrawn", revokedAt, Codes.Of(c.RevokedBy!.Value), Recorder(c.RevocationRecordedBy!)));
            }
            else if (status == ConsentStatus.Expired)
            {
                events.Add(new("expired", c.ExpiredAt ?? c.ValidUntil, "system", null));
            }
            return new ReceiptConsent(c.Id, "explicit",
                status switch { ConsentStatus.Active => "active", ConsentStatus.Revoked => "withdrawn", _ => "expired" },
                c.Collection, GivenBy(c.GivenBy),
                [new ReceiptPurpose(c.Purpose, Describe(c.Purpose), "consent", c.Categories)],
                [Party(c.BodyId, "recipient")],
                new ReceiptPeriod(c.ValidFrom, c.ValidUntil),
                new WithdrawalMethod(
                    "Retirez ce consentement à tout moment, sans justification : depuis votre espace, ou en le demandant à un professionnel qui vous suit. Il cesse aussitôt.",
                    $"POST /me/consents/{c.Id}/revoke"),
                events);
        }).ToList();

        return new ConsentReceipt(SchemaVersion,
            new ReceiptRecord(person.Id, person.RegisteredAt, now, "fr", "FR"),
            new PiiPrincipal(person.Id, person.DisplayName,
                person.LegalRepresentative is { } r ? new Representation(r.Mandate, r.MandateReference) : null),
            Party(person.RegisteredByBodyId, "collector"),
            items);
    }
}

public static class GetConsentReceiptEndpoint
{
    public static RouteGroupBuilder MapGetConsentReceipt(this RouteGroupBuilder group)
    {
        group.MapGet("/persons/{id:guid}/consent-receipt", Handle)
            .WithName("getConsentReceipt")
            .WithSummary("The person's consent receipt (ISO/IEC TS 27560-shaped)")
            .WithDescription("Every consent with its purposes and PII categories, recipient, period, how to withdraw it, and its events " +
                "(given, withdrawn, expired). Readable by the person and by the body that registered them while its own grant is active; " +
                "a body does not see grants to a sensitive body other than itself.")
            .Produces<ConsentReceipt>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<IResult> Handle(Guid id, PersonAccess access, IDocumentSession session, HttpContext http)
    {
        var check = await access.ReadAsRegistrarAsync(id, http.RequestAborted);
        if (check.Problem is { } problem) return problem;
        var admission = check.Admitted!;
        var consents = (await session.Query<ConsentDetails>().Where(c => c.PersonId == id).ToListAsync(http.RequestAborted))
            .Where(c => access.MayNameBody(admission, c.BodyId)).ToList();
        var bodies = await BodyNames.LoadAsync(session, consents.SelectMany(ConsentView.BodiesOf).Append(admission.Person.RegisteredByBodyId),
            http.RequestAborted);
        var receipt = ConsentReceipts.Build(admission.Person, consents, bodies, access.Now);
        await access.RecordReadAsync(admission, [Categories.Identity], [], http.RequestAborted);
        return TypedResults.Ok(receipt);
    }
}
