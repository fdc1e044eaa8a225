using System.Net;
using Audit.Contracts;
using Consents.Api.AccessLog;
using Coordination.ServiceDefaults.Demo;
using Marten;
using Referrals.Contracts;
using Xunit;
using static Consents.Tests.TestKit;

namespace Consents.Tests.Api;

[Collection(ConsentsCollection.Name)]
public sealed class ReadingTests(ConsentsFixture fixture)
{
    [Fact]
    public async Task GetPerson_ByTheRegisteringBody_ShowsTheIdentity_AndLogsTheReadWithItsConsent()
    {
        var person = await fixture.Register(Registration(UniqueName("Bernard"), "Lucie", consentCollection: "signed_form",
            legalRepresentative: new { name = "Jean Curateur", mandate = "curatelle", mandateReference = "TJ Narbonne 23/0042" }));
        using var coordinator = await fixture.As("coordinator@demo");

        using var response = await coordinator.GetAsync($"persons/{person.Id}");

        var view = await response.ExpectJson(HttpStatusCode.OK);
        Assert.Equal("Lucie", view["givenName"]!.GetValue<string>());
        Assert.Equal("signed_form", view["consentCollection"]!.GetValue<string>());
        Assert.Equal("person", view["consentGivenBy"]!.GetValue<string>());
        Assert.Equal("curatelle", view["legalRepresentative"]!["mandate"]!.GetValue<string>());
        Assert.Equal("Sophie Martin (CCAS)", view["registeredByName"]!.GetValue<string>());
        var logged = await fixture.AccessLogged(person.Id, e => e.ReaderDisplayName == "Karim Benali (CCAS)", "the read in the access log");
        Assert.Equal("consent", logged.Basis);
        Assert.Equal(person.ConsentIds[0], logged.ConsentId);
        Assert.Equal(["identity"], logged.CategoriesShown);
        Assert.Empty(logged.CategoriesWithheld);
        Assert.Equal(DemoData.CcasNarbonne, logged.ReaderBodyId);
    }

    [Fact]
    public async Task Search_ByABodyWithAnIdentityGrant_FindsThePersonWithoutBeingInvolved_AndLogsTheHit()
    {
        var family = UniqueName("Dupré");
        var person = await fixture.Register(Registration(family, "Inès", "1992-11-30",
            grants: [Grant(DemoData.CcasNarbonne), Grant(DemoData.CafAude, ["identity", "appointments"])]));
        using var caf = await fixture.As("caf-agent@demo");

        using var response = await caf.GetAsync($"persons?familyName={Uri.EscapeDataString(family.ToUpperInvariant().Replace("É", "E"))}&givenName=ines&birthDate=1992-11-30");

        var hit = Assert.Single((await response.ExpectJson(HttpStatusCode.OK)).AsArray())!;
        Assert.Equal(person.Id, hit["id"]!.GetValue<Guid>());
        Assert.Equal($"Inès {char.ToUpperInvariant(family[0])}.", hit["displayName"]!.GetValue<string>());
        Assert.Equal(2, hit.AsObject().Count);
        // Found, but not involved: the record itself stays closed.
        await Expect(await caf.GetAsync($"persons/{person.Id}"), HttpStatusCode.NotFound);
        var logged = await fixture.AccessLogged(person.Id, e => e.ReaderBodyId == DemoData.CafAude && e.Basis == "consent", "the search hit in the access log");
        Assert.Equal("GET /persons", logged.Route);
        Assert.Equal(person.ConsentIds[1], logged.ConsentId);
    }

    [Fact]
    public async Task GetCompanion_WithAnIdThatIsNotOneOfThePersons_Answers404_AndIsLoggedAsADeniedRead()
    {
        var person = await fixture.Register(Registration(UniqueName("Roux"), "Nadia"));
        using var coordinator = await fixture.As("coordinator@demo");

        await Expect(await coordinator.GetAsync($"persons/{person.Id}/companions/{Guid.CreateVersion7()}"), HttpStatusCode.NotFound);

        // Like one consent read by an id that is not the person's: the attempt is in the person's access log.
        var logged = await fixture.AccessLogged(person.Id, e => e.ReaderDisplayName == "Karim Benali (CCAS)" && e.Basis == "denied",
            "the denied read of an unknown companion in the access log");
        Assert.Equal("GET /persons/{id:guid}/companions/{companionId:guid}", logged.Route);
        Assert.Contains("companion", logged.CategoriesWithheld);
    }

    [Fact]
    public async Task Search_ByABodyWithoutAGrant_FindsNothing_AndTheMatchIsLoggedAsDenied()
    {
        var family = UniqueName("Petit");
        var person = await fixture.Register(Registration(family, "Sam", "1970-01-01"));
        using var adviser = await fixture.As("adviser@demo");

        using var response = await adviser.GetAsync($"persons?familyName={family}&givenName=Sam&birthDate=1970-01-01");

        Assert.Empty((await response.ExpectJson(HttpStatusCode.OK)).AsArray());
        var logged = await fixture.AccessLogged(person.Id, e => e.ReaderBodyId == DemoData.FranceServicesNarbonne, "the refused match in the access log");
        Assert.Equal("denied", logged.Basis);
    }

    [Theory]
    [InlineData("givenName=Sam&birthDate=1970-01-01", "familyName")]
    [InlineData("familyName=Petit&birthDate=1970-01-01", "givenName")]
    [InlineData("familyName=Petit&givenName=Sam", "birthDate")]
    [InlineData("familyName=Petit&givenName=Sam&birthDate=01/01/1970", "birthDate")]
    public async Task Search_WithAMissingOrMalformedParameter_Answers400NamingIt(string query, string field)
    {
        using var ccas = await fixture.As("social-worker@demo");

        using var response = await ccas.GetAsync("persons?" + query);

        Assert.Equal([field], await response.ErrorFields());
    }

    [Fact]
    public async Task Search_ByAPerson_Is403()
    {
        using var me = await fixture.As("person@demo");

        await Expect(await me.GetAsync("persons?familyName=Durand&givenName=Camille&birthDate=1984-05-14"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task ListConsents_ByAnInvolvedBodyHoldingAGrant_ShowsTheLedgerWithoutSensitiveBodiesOrReasons()
    {
        var shelter = await SensitiveBody();
        var person = await fixture.Register(Registration(UniqueName(), grants: [Grant(DemoData.CcasNarbonne), Grant(shelter, ["identity"])]));
        using var ccas = await fixture.As("social-worker@demo");

        using var ledger = await ccas.GetAsync($"persons/{person.Id}/consents");

        var consent = Assert.Single((await ledger.ExpectJson(HttpStatusCode.OK)).AsArray())!;
        Assert.Equal(DemoData.CcasNarbonne, consent["body"]!["id"]!.GetValue<Guid>());
        await Expect(await ccas.GetAsync($"persons/{person.Id}/consents/{person.ConsentIds[1]}"), HttpStatusCode.NotFound);
        using var receipt = await ccas.GetAsync($"persons/{person.Id}/consent-receipt");
        Assert.Single((await receipt.ExpectJson(HttpStatusCode.OK))["consents"]!.AsArray());
        var logged = await fixture.AccessLogged(person.Id, e => e.Route == "GET /persons/{id:guid}/consents", "the ledger read in the access log");
        Assert.Equal("consent", logged.Basis);
        Assert.Equal(person.ConsentIds[0], logged.ConsentId);
    }

    [Fact]
    public async Task ListConsents_ByAnInvolvedBodyWhoseGrantsAreAllRevoked_IsTheUnknownIdAnswer()
    {
        var person = await fixture.Register();
        using var ccas = await fixture.As("social-worker@demo");
        await Expect(await ccas.Send(HttpMethod.Post, $"persons/{person.Id}/consents/{person.ConsentIds[0]}/revoke",
            new { revokedBy = "professional_on_request", reason = "Demande de la personne." }, ifMatch: "\"1\""), HttpStatusCode.OK);

        await AssertUnknownIdAnswer(await ccas.GetAsync($"persons/{person.Id}/consents"), await ccas.GetAsync($"persons/{Guid.NewGuid()}/consents"));
        // Involved still: the person may consent again at the desk.
        await Expect(await ccas.Send(HttpMethod.Post, $"persons/{person.Id}/consents", Grant(DemoData.CcasNarbonne)), HttpStatusCode.Created);
        await Expect(await ccas.GetAsync($"persons/{person.Id}"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task ContactPersons_FromReferrals_ArePerBodyWithNames_AndOnlyTheCurrentOnes()
    {
        var person = await fixture.Register(Registration(UniqueName(), grants: [Grant(DemoData.CcasNarbonne), Grant(DemoData.CafAude)]));
        await fixture.Refer(person.Id, DemoData.CcasNarbonne, DemoData.CafAude);
        var cafMember = Guid.CreateVersion7();
        await fixture.Publish(new ContactPersonDesignated(person.Id, DemoData.CafAude, cafMember, "Claire Dubois", DateTimeOffset.UtcNow));
        var ended = Guid.CreateVersion7();
        await fixture.Publish(new ContactPersonDesignated(person.Id, DemoData.CafAude, ended, "Ancien Référent", DateTimeOffset.UtcNow.AddDays(-3)));
        await fixture.Publish(new ContactPersonEnded(person.Id, DemoData.CafAude, ended, "handover", DateTimeOffset.UtcNow.AddDays(-1)));
        using var ccas = await fixture.As("social-worker@demo");

        System.Text.Json.Nodes.JsonArray? bodies = null;
        await CoordinationTestingExtensions.Eventually(async () =>
        {
            using var response = await ccas.GetAsync($"persons/{person.Id}/contact-persons");
            bodies = (await response.ExpectJson(HttpStatusCode.OK)).AsArray();
            await using var session = fixture.Store.QuerySession();
            return bodies.Count == 1 && bodies[0]!["contactPersons"]!.AsArray().Count == 1
                && await session.Query<Consents.Api.ContactPersons.ContactPersonEntry>().CountAsync(e => e.PersonId == person.Id) == 2;
        }, "the contact persons in Consents");

        using var again = await ccas.GetAsync($"persons/{person.Id}/contact-persons");
        var body = Assert.Single((await again.ExpectJson(HttpStatusCode.OK)).AsArray())!;
        Assert.Equal("CAF de l'Aude", body["body"]!["name"]!.GetValue<string>());
        var contact = Assert.Single(body["contactPersons"]!.AsArray())!;
        Assert.Equal("Claire Dubois", contact["displayName"]!.GetValue<string>());
        Assert.Equal(cafMember, contact["memberId"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task ContactPersons_OfASensitiveBody_AreShownOnlyToThatBody()
    {
        var shelter = await SensitiveBody();
        var person = await fixture.Register(Registration(UniqueName(), grants: [Grant(DemoData.CcasNarbonne), Grant(shelter, ["identity", "contacts"])]));
        await fixture.Refer(person.Id, DemoData.CcasNarbonne, shelter);
        await fixture.Publish(new ContactPersonDesignated(person.Id, shelter, Guid.CreateVersion7(), "Référente du centre", DateTimeOffset.UtcNow));
        await fixture.Publish(new ContactPersonDesignated(person.Id, DemoData.CcasNarbonne, Guid.CreateVersion7(), "Sophie Martin", DateTimeOffset.UtcNow));
        await CoordinationTestingExtensions.Eventually(async () =>
        {
            await using var session = fixture.Store.QuerySession();
            return await session.Query<Consents.Api.ContactPersons.ContactPersonEntry>().CountAsync(e => e.PersonId == person.Id) == 2;
        }, "both contact persons in Consents");
        using var ccas = await fixture.As("social-worker@demo");

        using var response = await ccas.GetAsync($"persons/{person.Id}/contact-persons");

        var body = Assert.Single((await response.ExpectJson(HttpStatusCode.OK)).AsArray())!;
        Assert.Equal(DemoData.CcasNarbonne, body["body"]!["id"]!.GetValue<Guid>());
    }

    private async Task<Guid> SensitiveBody()
    {
        var shelter = Guid.CreateVersion7();
        await fixture.Publish(new Directory.Contracts.BodyRegistered(shelter, "Centre d'hébergement Les Oliviers", "association", "11262", ["11262"], true,
            DateTimeOffset.UtcNow));
        await CoordinationTestingExtensions.Eventually(async () =>
        {
            await using var s = fixture.Store.QuerySession();
            return await s.LoadAsync<Coordination.Secrecy.Gate.Copies.BodyCopy>(shelter) is not null;
        }, "the shelter's copy");
        return shelter;
    }

    [Fact]
    public async Task ADuplicatedPersonDataAccessed_IsStoredOnce()
    {
        var access = new PersonDataAccessed(Guid.CreateVersion7(), DemoData.Person, "sub-referrals", "Agent Referrals", DemoData.CafAude, "social_worker",
            "referrals", "GET /persons/{personId}/follow-up", ["orientation"], ["orientation_details"], "consent", null, DateTimeOffset.UtcNow);
        var messageId = Guid.CreateVersion7();

        await fixture.Publish(access, messageId);
        await fixture.Publish(access, messageId);
        await fixture.Publish(access);

        await fixture.AccessLogged(DemoData.Person, e => e.Id == access.AccessId, "the access in the log");
        await Task.Delay(1500);
        Assert.Equal(1, await fixture.Database.Scalar<long>(
            $"select count(*) from consents.mt_doc_accesslogentry where id = '{access.AccessId}'"));
        var stored = (await fixture.AccessLog(DemoData.Person)).Single(e => e.Id == access.AccessId);
        Assert.Equal(["orientation_details"], stored.CategoriesWithheld);
        Assert.Equal("referrals", stored.Service);
    }
}
