using System.Net;
using System.Net.Http.Json;
using Consents.Api;
using Consents.Api.Consents;
using Consents.Api.Consents.Listing;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Demo;
using Marten;
using Xunit;
using static Consents.Tests.TestKit;
using Contracts = Consents.Contracts;

namespace Consents.Tests.Api;

[Collection(ConsentsCollection.Name)]
public sealed class LedgerTests(ConsentsFixture fixture)
{
    [Fact]
    public async Task RecordConsent_ByAnInvolvedProfessional_Answers201_AndTheLedgerShowsWhoRecordedIt()
    {
        var person = await fixture.Register();
        using var client = await fixture.As("social-worker@demo");
        var until = Instants.ToMicroseconds(fixture.Clock.GetUtcNow().AddMonths(6));

        using var response = await client.PostAsJsonAsync($"persons/{person.Id}/consents", new
        {
            bodyId = DemoData.CafAude, categories = new[] { "orientation", "identity" }, purpose = "follow_up_coordination", validUntil = until,
            collection = "signed_form",
        });

        var consent = await response.ExpectJson(HttpStatusCode.Created);
        var id = consent["id"]!.GetValue<Guid>();
        Assert.Equal($"/persons/{person.Id}/consents/{id}", response.Headers.Location!.ToString());
        Assert.Equal("\"1\"", response.ETag());
        Assert.Equal(["identity", "orientation"], consent["categories"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal("active", consent["status"]!.GetValue<string>());
        Assert.Equal("signed_form", consent["collection"]!.GetValue<string>());
        Assert.Equal(until, consent["validUntil"]!.GetValue<DateTimeOffset>());

        using var list = await client.GetAsync($"persons/{person.Id}/consents");
        var ledger = (await list.ExpectJson(HttpStatusCode.OK)).AsArray();
        var recorded = Assert.Single(ledger, c => c!["id"]!.GetValue<Guid>() == id)!;
        Assert.Equal("CAF de l'Aude", recorded["body"]!["name"]!.GetValue<string>());
        Assert.Equal("Sophie Martin (CCAS)", recorded["recordedBy"]!["name"]!.GetValue<string>());
        Assert.Equal("social_worker", recorded["recordedBy"]!["role"]!.GetValue<string>());
        Assert.Equal("CCAS de Narbonne", recorded["recordedBy"]!["body"]!["name"]!.GetValue<string>());
        Assert.Equal(2, ledger.Count);
        await CoordinationTestingExtensions.Eventually(() => Task.FromResult(fixture.Published.OfType<Contracts.ConsentGranted>().Any(c => c.ConsentId == id)),
            "ConsentGranted published");
    }

    [Fact]
    public async Task RecordConsent_WithBadInput_Answers400NamingEachField()
    {
        var person = await fixture.Register();
        using var client = await fixture.As("social-worker@demo");

        using var response = await client.PostAsJsonAsync($"persons/{person.Id}/consents", new
        {
            bodyId = DemoData.CafAude, categories = new[] { "everything" }, purpose = "follow_up_coordination",
            validUntil = fixture.Clock.GetUtcNow().AddMonths(36).AddDays(1), collection = "online",
        });

        Assert.Equal(["categories[0]", "collection", "validUntil"], (await response.ErrorFields()).Order());
    }

    [Fact]
    public async Task RecordConsent_ByAnUninvolvedBody_Answers404()
    {
        var person = await fixture.Register();
        using var caf = await fixture.As("caf-agent@demo");

        using var response = await caf.PostAsJsonAsync($"persons/{person.Id}/consents", Grant(DemoData.CafAude));

        await Expect(response, HttpStatusCode.NotFound);
        await using var session = fixture.Store.QuerySession();
        Assert.Single(await session.Query<ConsentDetails>().Where(c => c.PersonId == person.Id).ToListAsync());
    }

    [Fact]
    public async Task Revoke_AtThePersonsRequest_EndsTheBodysAccessAtOnce_AndASecondRevocationIs409()
    {
        var person = await fixture.Register(Registration(UniqueName(), grants: [Grant(DemoData.CcasNarbonne), Grant(DemoData.CafAude)]));
        await fixture.Refer(person.Id, DemoData.CcasNarbonne, DemoData.CafAude);
        using var caf = await fixture.As("caf-agent@demo");
        await Expect(await caf.GetAsync($"persons/{person.Id}"), HttpStatusCode.OK);
        using var ccas = await fixture.As("social-worker@demo");
        var cafConsent = person.ConsentIds[1];

        using var revoked = await ccas.Send(HttpMethod.Post, $"persons/{person.Id}/consents/{cafConsent}/revoke",
            new { revokedBy = "professional_on_request", reason = "La personne ne souhaite plus partager avec la CAF." }, ifMatch: "\"1\"");

        var view = await revoked.ExpectJson(HttpStatusCode.OK);
        Assert.Equal("\"2\"", revoked.ETag());
        Assert.Equal("revoked", view["status"]!.GetValue<string>());
        Assert.Equal("professional_on_request", view["revocation"]!["by"]!.GetValue<string>());
        // The reason is the person's: a professional's view of the ledger does not show it.
        Assert.Null(view["revocation"]!["reason"]);
        await Expect(await caf.GetAsync($"persons/{person.Id}"), HttpStatusCode.NotFound);

        using var again = await ccas.Send(HttpMethod.Post, $"persons/{person.Id}/consents/{cafConsent}/revoke",
            new { revokedBy = "professional_on_request", reason = "Encore." }, ifMatch: "\"2\"");
        var problem = await again.ExpectJson(HttpStatusCode.Conflict);
        Assert.Equal("consent-already-revoked", problem["code"]!.GetValue<string>());
        Assert.Equal("revoked", problem["current"]!["status"]!.GetValue<string>());
        Assert.NotNull(problem["current"]!["revokedAt"]);

        await CoordinationTestingExtensions.Eventually(() => Task.FromResult(fixture.Published.OfType<Contracts.ConsentRevoked>()
            .Any(c => c.ConsentId == cafConsent && c.RevokedBy == "professional_on_request")), "ConsentRevoked published");
        await using var session = fixture.Store.QuerySession();
        Assert.NotNull((await session.LoadAsync<GrantCopy>(cafConsent))!.RevokedAt);
    }

    [Fact]
    public async Task Revoke_WithoutIfMatch_Is428_WithAStaleOne_Is412()
    {
        var person = await fixture.Register();
        using var ccas = await fixture.As("social-worker@demo");
        var path = $"persons/{person.Id}/consents/{person.ConsentIds[0]}/revoke";
        var body = new { revokedBy = "professional_on_request", reason = "Demande de la personne." };

        await Expect(await ccas.Send(HttpMethod.Post, path, body), HttpStatusCode.PreconditionRequired);
        await Expect(await ccas.Send(HttpMethod.Post, path, body, ifMatch: "\"7\""), HttpStatusCode.PreconditionFailed);
        await Expect(await ccas.Send(HttpMethod.Post, path, body, ifMatch: "W/\"1\""), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Revoke_ByAProfessionalWithoutReasonOrWithAClaimedRepresentative_IsRefused()
    {
        var person = await fixture.Register();
        using var ccas = await fixture.As("social-worker@demo");
        var path = $"persons/{person.Id}/consents/{person.ConsentIds[0]}/revoke";

        using var noReason = await ccas.Send(HttpMethod.Post, path, new { revokedBy = "professional_on_request" }, ifMatch: "\"1\"");
        Assert.Equal(["reason"], await noReason.ErrorFields());
        using var noRepresentative = await ccas.Send(HttpMethod.Post, path, new { revokedBy = "legal_representative", reason = "Le tuteur l'a demandé." },
            ifMatch: "\"1\"");
        Assert.Equal("no-legal-representative", (await noRepresentative.ExpectJson(HttpStatusCode.Conflict))["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Revoke_ByTheLegalRepresentative_IsRecordedAsSuch()
    {
        var person = await fixture.Register(Registration(UniqueName(), consentGivenBy: "legal_representative",
            legalRepresentative: new { name = "Jean Tuteur", mandate = "tutelle", mandateReference = "TJ Narbonne 24/00123" }));
        using var ccas = await fixture.As("social-worker@demo");

        using var response = await ccas.Send(HttpMethod.Post, $"persons/{person.Id}/consents/{person.ConsentIds[0]}/revoke",
            new { revokedBy = "legal_representative", reason = "Le tuteur retire le consentement." }, ifMatch: "\"1\"");

        var view = await response.ExpectJson(HttpStatusCode.OK);
        Assert.Equal("legal_representative", view["revocation"]!["by"]!.GetValue<string>());
        Assert.Equal("legal_representative", view["givenBy"]!.GetValue<string>());
    }

    [Fact]
    public async Task GrantAndRevokeMyConsent_ThePersonNeedsNoReason_AndSeesTheirOwnWhenGiven()
    {
        using var me = await fixture.As("person@demo");

        using var granted = await me.PostAsJsonAsync("me/consents", Grant(DemoData.MairieNarbonne, ["identity", "appointments"], "appointment_booking"));
        var consent = await granted.ExpectJson(HttpStatusCode.Created);
        var id = consent["id"]!.GetValue<Guid>();
        Assert.Equal("online", consent["collection"]!.GetValue<string>());
        Assert.Equal("person", consent["givenBy"]!.GetValue<string>());
        Assert.Equal("Mairie de Narbonne", consent["body"]!["name"]!.GetValue<string>());

        using var revoked = await me.Send(HttpMethod.Post, $"me/consents/{id}/revoke", new { reason = "Je préfère y aller seule." }, ifMatch: "\"1\"");
        var view = await revoked.ExpectJson(HttpStatusCode.OK);
        Assert.Equal("person", view["revocation"]!["by"]!.GetValue<string>());
        Assert.Equal("Je préfère y aller seule.", view["revocation"]!["reason"]!.GetValue<string>());

        using var claimed = await me.Send(HttpMethod.Post, $"me/consents/{id}/revoke", new { revokedBy = "professional_on_request" }, ifMatch: "\"2\"");
        Assert.Equal(["revokedBy"], await claimed.ErrorFields());
    }

    [Fact]
    public async Task GrantMyConsent_WithBadInput_Answers400()
    {
        using var me = await fixture.As("person@demo");

        using var response = await me.PostAsJsonAsync("me/consents", new { bodyId = Guid.NewGuid(), categories = Array.Empty<string>(), purpose = "spying" });

        Assert.Equal(["bodyId", "categories", "purpose"], (await response.ErrorFields()).Order());
    }

    [Fact]
    public async Task Expiry_IsEmittedAtUntil_OnTheServiceClock()
    {
        var until = Instants.ToMicroseconds(fixture.Clock.GetUtcNow().AddSeconds(90));
        var person = await fixture.Register(Registration(UniqueName(), grants: [Grant(DemoData.CcasNarbonne), Grant(DemoData.CafAude, validUntil: until)]));
        var consentId = person.ConsentIds[1];
        // Let the job take this end into account before the clock moves.
        await Task.Delay(500);

        fixture.Clock.Advance(TimeSpan.FromSeconds(89));
        await Task.Delay(1000);
        Assert.Null(await Expired(consentId));

        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        await CoordinationTestingExtensions.Eventually(async () => await Expired(consentId) is not null, "ConsentExpired appended at until");

        Assert.Equal(until, (await Expired(consentId))!.ExpiredAt);
        await CoordinationTestingExtensions.Eventually(() => Task.FromResult(fixture.Published.OfType<Contracts.ConsentExpired>().Any(c => c.ConsentId == consentId)),
            "ConsentExpired published");
        await using var session = fixture.Store.QuerySession();
        var details = await session.LoadAsync<ConsentDetails>(consentId);
        Assert.False(details!.Open);
        Assert.Equal(until, (await session.LoadAsync<GrantCopy>(consentId))!.ExpiredAt);
        Assert.Null(await Expired(person.ConsentIds[0]));

        using var ccas = await fixture.As("social-worker@demo");
        using var revoke = await ccas.Send(HttpMethod.Post, $"persons/{person.Id}/consents/{consentId}/revoke",
            new { revokedBy = "professional_on_request", reason = "Trop tard." }, ifMatch: "\"2\"");
        var problem = await revoke.ExpectJson(HttpStatusCode.Conflict);
        Assert.Equal("consent-expired", problem["code"]!.GetValue<string>());
        Assert.Equal("expired", problem["current"]!["status"]!.GetValue<string>());
        Assert.Equal(until, problem["current"]!["expiredAt"]!.GetValue<DateTimeOffset>());
    }

    private async Task<ConsentExpired?> Expired(Guid consentId)
    {
        await using var session = fixture.Store.QuerySession();
        var events = await session.Events.FetchStreamAsync(consentId);
        return events.Select(e => e.Data).OfType<ConsentExpired>().SingleOrDefault();
    }
}
