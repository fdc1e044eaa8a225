using System.Net;
using System.Text.Json.Nodes;
using Consents.Api;
using Coordination.ServiceDefaults.Demo;
using Xunit;
using static Consents.Tests.TestKit;

namespace Consents.Tests.Api;

/// <summary>The ISO/IEC TS 27560-shaped receipt and the FHIR R5 Consent, member by member.</summary>
[Collection(ConsentsCollection.Name)]
public sealed class ReceiptTests(ConsentsFixture fixture)
{
    private static string S(JsonNode? node) => node!.GetValue<string>();

    private static string[] Strings(JsonNode? node) => node!.AsArray().Select(S).ToArray();

    private async Task<(TestKit.Created Person, DateTimeOffset Now)> PersonWithARevokedGrant()
    {
        var now = fixture.Clock.GetUtcNow();
        var person = await fixture.Register(Registration(UniqueName("Receipt"), "Awa", consentCollection: "signed_form",
            grants: [Grant(DemoData.CcasNarbonne, ["contacts", "identity"]), Grant(DemoData.CafAude, ["identity", "appointments"], "appointment_booking",
                now.AddMonths(6))]));
        using var ccas = await fixture.As("social-worker@demo");
        await Expect(await ccas.Send(HttpMethod.Post, $"persons/{person.Id}/consents/{person.ConsentIds[1]}/revoke",
            new { revokedBy = "professional_on_request", reason = "Ne souhaite plus de rendez-vous CAF." }, ifMatch: "\"1\""), HttpStatusCode.OK);
        return (person, now);
    }

    [Fact]
    public async Task ConsentReceipt_ByTheRegisteringBody_HoldsEveryMemberOfTheRecord()
    {
        var (person, now) = await PersonWithARevokedGrant();
        using var ccas = await fixture.As("social-worker@demo");

        using var response = await ccas.GetAsync($"persons/{person.Id}/consent-receipt");

        var receipt = await response.ExpectJson(HttpStatusCode.OK);
        Assert.Equal(["collector", "consents", "pii_principal", "record", "schema_version"], receipt.AsObject().Select(p => p.Key).Order());
        Assert.Equal("ISO/IEC TS 27560:2023", S(receipt["schema_version"]));
        var record = receipt["record"]!;
        Assert.Equal(person.Id, record["record_id"]!.GetValue<Guid>());
        Assert.Equal(now, record["created_at"]!.GetValue<DateTimeOffset>());
        Assert.Equal(fixture.Clock.GetUtcNow(), record["generated_at"]!.GetValue<DateTimeOffset>());
        Assert.Equal("fr", S(record["language"]));
        Assert.Equal("FR", S(record["jurisdiction"]));
        Assert.Equal(person.Id, receipt["pii_principal"]!["pii_principal_id"]!.GetValue<Guid>());
        Assert.Equal(person.DisplayName, S(receipt["pii_principal"]!["display_name"]));
        Assert.Null(receipt["pii_principal"]!["represented_by"]);
        Assert.Equal(DemoData.CcasNarbonne, receipt["collector"]!["party_id"]!.GetValue<Guid>());
        Assert.Equal("CCAS de Narbonne", S(receipt["collector"]!["name"]));
        Assert.Equal("collector", S(receipt["collector"]!["role"]));

        var consents = receipt["consents"]!.AsArray();
        Assert.Equal(2, consents.Count);
        var active = Assert.Single(consents, c => c!["consent_id"]!.GetValue<Guid>() == person.ConsentIds[0])!;
        Assert.Equal("explicit", S(active["consent_type"]));
        Assert.Equal("active", S(active["status"]));
        Assert.Equal("signed_form", S(active["collection_method"]));
        Assert.Equal("pii_principal", S(active["given_by"]));
        var purpose = Assert.Single(active["purposes"]!.AsArray())!;
        Assert.Equal("follow_up_coordination", S(purpose["purpose"]));
        Assert.Equal("Coordonner votre suivi entre les organismes qui vous accompagnent.", S(purpose["purpose_description"]));
        Assert.Equal("consent", S(purpose["legal_basis"]));
        Assert.Equal(["identity", "contacts"], Strings(purpose["pii_categories"]));
        var recipient = Assert.Single(active["recipient_parties"]!.AsArray())!;
        Assert.Equal((DemoData.CcasNarbonne, "CCAS de Narbonne", "recipient"),
            (recipient["party_id"]!.GetValue<Guid>(), S(recipient["name"]), S(recipient["role"])));
        Assert.Equal(now, active["period"]!["start"]!.GetValue<DateTimeOffset>());
        Assert.Equal(Instants.ToMicroseconds(now.AddMonths(12)), active["period"]!["end"]!.GetValue<DateTimeOffset>());
        Assert.Equal($"POST /me/consents/{person.ConsentIds[0]}/revoke", S(active["withdrawal_method"]!["self_service"]));
        Assert.Contains("sans justification", S(active["withdrawal_method"]!["description"]), StringComparison.Ordinal);
        var given = Assert.Single(active["events"]!.AsArray())!;
        Assert.Equal(("given", now, "pii_principal"), (S(given["event_type"]), given["event_time"]!.GetValue<DateTimeOffset>(), S(given["event_by"])));
        Assert.Equal(("Sophie Martin (CCAS)", "social_worker", "CCAS de Narbonne"),
            (S(given["recorded_by"]!["name"]), S(given["recorded_by"]!["role"]), S(given["recorded_by"]!["body"]!["name"])));

        var withdrawn = Assert.Single(consents, c => c!["consent_id"]!.GetValue<Guid>() == person.ConsentIds[1])!;
        Assert.Equal("withdrawn", S(withdrawn["status"]));
        Assert.Equal("appointment_booking", S(withdrawn["purposes"]![0]!["purpose"]));
        Assert.Equal(["identity", "appointments"], Strings(withdrawn["purposes"]![0]!["pii_categories"]));
        Assert.Equal("CAF de l'Aude", S(withdrawn["recipient_parties"]![0]!["name"]));
        Assert.Equal(Instants.ToMicroseconds(now.AddMonths(6)), withdrawn["period"]!["end"]!.GetValue<DateTimeOffset>());
        var events = withdrawn["events"]!.AsArray();
        Assert.Equal(["given", "withdrawn"], events.Select(e => S(e!["event_type"])));
        Assert.Equal("professional_on_request", S(events[1]!["event_by"]));
        Assert.Equal(fixture.Clock.GetUtcNow(), events[1]!["event_time"]!.GetValue<DateTimeOffset>());
        // The reason is free text of the person's: never in the receipt a body reads.
        Assert.DoesNotContain("Ne souhaite plus", receipt.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConsentReceipt_ForThePerson_NamesTheirRepresentation()
    {
        var person = await fixture.Register(Registration(UniqueName(), consentGivenBy: "legal_representative",
            legalRepresentative: new { name = "Jean Tuteur", mandate = "tutelle", mandateReference = "TJ Narbonne 24/00123" }));
        using var ccas = await fixture.As("social-worker@demo");
        using var me = await fixture.As("person@demo");

        using var response = await ccas.GetAsync($"persons/{person.Id}/consent-receipt");
        var receipt = await response.ExpectJson(HttpStatusCode.OK);

        Assert.Equal("tutelle", S(receipt["pii_principal"]!["represented_by"]!["mandate"]));
        Assert.Equal("TJ Narbonne 24/00123", S(receipt["pii_principal"]!["represented_by"]!["mandate_reference"]));
        Assert.Equal("legal_representative", S(receipt["consents"]![0]!["given_by"]));
        Assert.Equal("legal_representative", S(receipt["consents"]![0]!["events"]![0]!["event_by"]));
        using var own = await me.GetAsync($"persons/{DemoData.Person}/consent-receipt");
        Assert.Equal(DemoData.Person, (await own.ExpectJson(HttpStatusCode.OK))["pii_principal"]!["pii_principal_id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task ConsentReceipt_ByABodyThatDidNotRegisterThePerson_IsTheUnknownIdAnswer()
    {
        var person = await fixture.Register(Registration(UniqueName(), grants: [Grant(DemoData.CcasNarbonne), Grant(DemoData.CafAude)]));
        await fixture.Refer(person.Id, DemoData.CcasNarbonne, DemoData.CafAude);
        using var caf = await fixture.As("caf-agent@demo");

        await AssertUnknownIdAnswer(await caf.GetAsync($"persons/{person.Id}/consent-receipt"), await caf.GetAsync($"persons/{Guid.NewGuid()}/consent-receipt"));
        await AssertUnknownIdAnswer(await caf.GetAsync($"persons/{person.Id}/consents/{person.ConsentIds[1]}/fhir"),
            await caf.GetAsync($"persons/{Guid.NewGuid()}/consents/{Guid.NewGuid()}/fhir"));
    }

    [Fact]
    public async Task FhirConsent_IsAnR5ConsentResource_MemberByMember()
    {
        var (person, now) = await PersonWithARevokedGrant();
        using var ccas = await fixture.As("social-worker@demo");

        using var response = await ccas.GetAsync($"persons/{person.Id}/consents/{person.ConsentIds[0]}/fhir");

        await Expect(response, HttpStatusCode.OK);
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType!.MediaType);
        var fhir = await response.Json();
        Assert.Equal(["category", "date", "decision", "grantee", "grantor", "id", "identifier", "period", "provision", "resourceType", "status", "subject"],
            fhir.AsObject().Select(p => p.Key).Order());
        Assert.Equal("Consent", S(fhir["resourceType"]));
        Assert.Equal(person.ConsentIds[0].ToString(), S(fhir["id"]));
        Assert.Equal("urn:ietf:rfc:3986", S(fhir["identifier"]![0]!["system"]));
        Assert.Equal($"urn:uuid:{person.ConsentIds[0]}", S(fhir["identifier"]![0]!["value"]));
        Assert.Equal("active", S(fhir["status"]));
        var category = fhir["category"]![0]!["coding"]![0]!;
        Assert.Equal(("http://loinc.org", "59284-0", "Patient Consent"), (S(category["system"]), S(category["code"]), S(category["display"])));
        Assert.Equal($"Patient/{person.Id}", S(fhir["subject"]!["reference"]));
        Assert.Equal("Patient", S(fhir["subject"]!["type"]));
        Assert.Equal(person.DisplayName, S(fhir["subject"]!["display"]));
        Assert.Equal(now.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), S(fhir["date"]));
        var start = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var end = now.AddMonths(12).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal((start, end), (S(fhir["period"]!["start"]), S(fhir["period"]!["end"])));
        Assert.Equal($"Patient/{person.Id}", S(fhir["grantor"]![0]!["reference"]));
        var grantee = Assert.Single(fhir["grantee"]!.AsArray())!;
        Assert.Equal(($"Organization/{DemoData.CcasNarbonne}", "Organization", "CCAS de Narbonne"),
            (S(grantee["reference"]), S(grantee["type"]), S(grantee["display"])));
        Assert.Equal("permit", S(fhir["decision"]));

        var provision = Assert.Single(fhir["provision"]!.AsArray())!;
        Assert.Equal((start, end), (S(provision["period"]!["start"]), S(provision["period"]!["end"])));
        var actor = Assert.Single(provision["actor"]!.AsArray())!;
        var role = actor["role"]!["coding"]![0]!;
        Assert.Equal(("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP", "information recipient"),
            (S(role["system"]), S(role["code"]), S(role["display"])));
        Assert.Equal($"Organization/{DemoData.CcasNarbonne}", S(actor["reference"]!["reference"]));
        var purpose = Assert.Single(provision["purpose"]!.AsArray())!;
        Assert.Equal(("urn:coordination:purpose", "follow_up_coordination"), (S(purpose["system"]), S(purpose["code"])));
        Assert.Equal(["identity", "contacts"], provision["code"]!.AsArray().Select(c => S(c!["coding"]![0]!["code"])));
        Assert.All(provision["code"]!.AsArray(), c => Assert.Equal("urn:coordination:category", S(c!["coding"]![0]!["system"])));
        // FHIR JSON never carries nulls.
        Assert.DoesNotContain("null", fhir.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FhirConsent_OfARevokedGrant_IsInactive()
    {
        var (person, _) = await PersonWithARevokedGrant();
        using var ccas = await fixture.As("social-worker@demo");

        using var response = await ccas.GetAsync($"persons/{person.Id}/consents/{person.ConsentIds[1]}/fhir");

        var fhir = await response.ExpectJson(HttpStatusCode.OK);
        Assert.Equal("inactive", S(fhir["status"]));
        Assert.Equal("appointment_booking", S(fhir["provision"]![0]!["purpose"]![0]!["code"]));
        Assert.Equal($"Organization/{DemoData.CafAude}", S(fhir["grantee"]![0]!["reference"]));
    }
}
