using System.Net;
using System.Text.Json.Nodes;
using Coordination.Secrecy;
using Xunit;

namespace Referrals.Tests.Api;

/// <summary>
/// The shared follow-up and the other person reads over HTTP, with real tokens and copies fed by contracts:
/// who sees what, what a revocation leaves (stubs), and exactly one access-log event per read.
/// </summary>
[Collection(ReferralsCollection.Name)]
public sealed class FollowUpApiTests(ReferralsFixture fixture) : ApiTest(fixture)
{
    private async Task<JsonNode> FollowUp(string login, Guid personId, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var client = await As(login);
        return await Json(await Get(client, $"persons/{personId}/follow-up"), expected);
    }

    /// <summary>A person followed by the CCAS (registered there) and the CAF, with one referral of each kind of item.</summary>
    private async Task<(Guid Person, Guid Referral, Guid Consent)> Followed()
    {
        var personId = await NewPerson(Ccas);
        await Grant(personId, Ccas);
        var consent = await Grant(personId, Caf);
        var referral = await SendReferral(SocialWorker, personId, Caf);
        return (personId, referral, consent);
    }

    [Fact]
    public async Task TheSenderAndTheReceiver_SeeTheWholeFollowUp_TheDeskSeesNoDetails_AndAnUninvolvedBodyGets404()
    {
        var (personId, referral, _) = await Followed();
        await Grant(personId, Mairie);

        var ccas = await FollowUp(SocialWorker, personId);
        Assert.Equal("Camille Durand", ccas["displayName"]!.GetValue<string>());
        var orientation = Assert.Single(ccas["orientations"]!.AsArray())!;
        Assert.Equal(referral, orientation["id"]!.GetValue<Guid>());
        Assert.Equal("Besoin d'aide pour le RSA", orientation["reason"]!.GetValue<string>());
        Assert.Equal(("CCAS de Narbonne", "CAF de l'Aude"), (orientation["from"]!["name"]!.GetValue<string>(), orientation["to"]!["name"]!.GetValue<string>()));
        Assert.Empty(ccas["categoriesWithheld"]!.AsArray());
        Assert.NotNull(ccas["appointments"]);

        var caf = await FollowUp(CafAgent, personId);
        Assert.Equal(referral, caf["orientations"]![0]!["id"]!.GetValue<Guid>());

        // The Mairie holds a grant but is not involved: nothing, as for an unknown person.
        using var mairie = await As(MairieSecretary);
        await AssertUnknown(await Get(mairie, $"persons/{personId}/follow-up"));
        await AssertUnknown(await Get(mairie, $"persons/{Guid.CreateVersion7()}/follow-up"));
    }

    [Fact]
    public async Task ADeskRole_SeesOrientationsWithoutDetails_AndTheWithheldCategoriesAreNamed()
    {
        var (personId, referral, _) = await Followed();
        await Grant(personId, FranceServices);
        await Json(await Transition(CafAgent, referral, "decline", new { reasonCode = "no_capacity", note = "Plus de place" }), HttpStatusCode.OK);
        await SendReferral(SocialWorker, personId, FranceServices);

        var desk = await FollowUp(Adviser, personId);
        Assert.Equal(["accompaniment", "orientation_details"], Strings(desk["categoriesWithheld"]).Order());
        Assert.Null(desk["accompaniments"]);
        Assert.All(desk["orientations"]!.AsArray(), o =>
        {
            Assert.Null(o!["reason"]);
            Assert.False(o["detailsShown"]!.GetValue<bool>());
        });
        Assert.DoesNotContain("Plus de place", desk.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Besoin d'aide", desk.ToJsonString(), StringComparison.Ordinal);
        var declined = desk["orientations"]!.AsArray().Single(o => o!["id"]!.GetValue<Guid>() == referral)!;
        Assert.Equal("no_capacity", declined["history"]![1]!["code"]!.GetValue<string>());
        Assert.Null(declined["history"]![1]!["note"]);
    }

    [Fact]
    public async Task AGrantMissingACategory_WithholdsIt()
    {
        var personId = await NewPerson(Ccas);
        await Grant(personId, Ccas, [Categories.Identity, Categories.Contacts]);

        var view = await FollowUp(SocialWorker, personId);
        Assert.Equal(["identity", "contacts"], Strings(view["categoriesShown"]));
        Assert.Equal(["orientation", "orientation_details", "companion", "appointments", "accompaniment"], Strings(view["categoriesWithheld"]));
        Assert.Null(view["orientations"]);
        Assert.Null(view["appointments"]);
        Assert.Empty(view["contactPersons"]!.AsArray());
    }

    [Fact]
    public async Task AfterARevocation_TheBodySeesNothing_ButKeepsStubsOfItsOwnReferrals_AndCanStillCloseThem()
    {
        var (personId, referral, cafConsent) = await Followed();
        await Json(await Transition(CafAgent, referral, "accept", new { note = "Pris en charge" }), HttpStatusCode.OK);
        await Revoke(cafConsent, personId, Caf);

        await FollowUp(CafAgent, personId, HttpStatusCode.NotFound);

        using var caf = await As(CafAgent);
        var stub = await Json(await Get(caf, $"referrals/{referral}"), HttpStatusCode.OK);
        AssertStub(stub, referral, personId);
        // Its own actions only: the CAF accepted; the sending is the CCAS's.
        Assert.Equal(["accepted"], stub["history"]!.AsArray().Select(s => s!["kind"]!.GetValue<string>()));

        var inbox = await Json(await Get(caf, $"referrals?bodyId={Caf}&direction=inbox&status=accepted&pageSize=100"), HttpStatusCode.OK);
        var listed = inbox["items"]!.AsArray().Single(i => i!["id"]!.GetValue<Guid>() == referral)!;
        AssertStub(listed, referral, personId);

        await Json(await Post(caf, $"referrals/{referral}/close", new { outcome = "right_opened" }, ifMatch: $"\"{listed["version"]!.GetValue<long>()}\""), HttpStatusCode.OK);

        // The sender still sees it in full.
        using var sender = await As(SocialWorker);
        var ccas = await Json(await Get(sender, $"referrals/{referral}"), HttpStatusCode.OK);
        Assert.False(ccas["stub"]!.GetValue<bool>());
        Assert.Equal("closed", ccas["status"]!.GetValue<string>());
    }

    private static void AssertStub(JsonNode stub, Guid referral, Guid personId)
    {
        Assert.True(stub["stub"]!.GetValue<bool>());
        Assert.Equal((referral, personId), (stub["id"]!.GetValue<Guid>(), stub["personId"]!.GetValue<Guid>()));
        Assert.NotNull(stub["status"]);
        Assert.NotNull(stub["sentAt"]);
        foreach (var absent in new[] { "personName", "need", "targetRight", "urgency", "reason", "sentBy" }) Assert.Null(stub[absent]);
        var text = stub.ToJsonString();
        Assert.DoesNotContain("Camille", text, StringComparison.Ordinal);
        Assert.DoesNotContain("RSA", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Pris en charge", text, StringComparison.Ordinal);
        Assert.All(stub["history"]!.AsArray(), s => Assert.Null(s!["note"]));
    }

    [Fact]
    public async Task AfterAnExpiry_TheBodyKeepsStubs_AndTheSendersListStaysFull()
    {
        var (personId, referral, cafConsent) = await Followed();
        await Expire(cafConsent, personId, Caf);

        using var caf = await As(CafAgent);
        var inbox = await Json(await Get(caf, $"referrals?direction=inbox&pageSize=100"), HttpStatusCode.OK);
        AssertStub(inbox["items"]!.AsArray().Single(i => i!["id"]!.GetValue<Guid>() == referral)!, referral, personId);

        using var ccas = await As(SocialWorker);
        var outbox = await Json(await Get(ccas, $"referrals?bodyId={Ccas}&direction=outbox&pageSize=100"), HttpStatusCode.OK);
        var full = outbox["items"]!.AsArray().Single(i => i!["id"]!.GetValue<Guid>() == referral)!;
        Assert.False(full["stub"]!.GetValue<bool>());
        Assert.Equal("Camille Durand", full["personName"]!.GetValue<string>());
        Assert.Null(full["reason"]);
    }

    [Fact]
    public async Task AnotherBodysList_Is403_AndBadListParameters400()
    {
        using var caf = await As(CafAgent);
        await AssertProblem(await Get(caf, $"referrals?bodyId={Ccas}"), HttpStatusCode.Forbidden);
        await AssertInvalid(await Get(caf, "referrals?direction=sideways"), "direction");
        await AssertInvalid(await Get(caf, "referrals?bodyId=caf"), "bodyId");
        await AssertInvalid(await Get(caf, "referrals?status=lost"), "status");
        await AssertInvalid(await Get(caf, "referrals?page=0"), "page");
        await AssertInvalid(await Get(caf, "referrals?pageSize=1000"), "pageSize");
        using var person = await As(PersonLogin);
        await AssertProblem(await Get(person, "referrals"), HttpStatusCode.Forbidden);
        using var peer = await As(PeerWorker);
        await AssertProblem(await Get(peer, "referrals"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task ThePerson_SeesTheirOwnFollowUp_AndAdminsAreRefusedTheRoutes()
    {
        var (personId, referral, _) = await Followed();
        // The demo person reads their own follow-up; a stranger's is 404 to them.
        using var person = await As(PersonLogin);
        await AssertUnknown(await Get(person, $"persons/{personId}/follow-up"));
        await Publish(new Consents.Contracts.PersonRegistered(Coordination.ServiceDefaults.Demo.DemoData.Person, "Personne de démonstration", Ccas, "x", DateTimeOffset.UtcNow));
        await Eventually(async s => await s.LoadAsync<Referrals.Api.Copies.PersonNameCopy>(Coordination.ServiceDefaults.Demo.DemoData.Person) is not null, "the demo person");
        var own = await Json(await Get(person, $"persons/{Coordination.ServiceDefaults.Demo.DemoData.Person}/follow-up"), HttpStatusCode.OK);
        Assert.Equal(Categories.All, Strings(own["categoriesShown"]));
        await AssertUnknown(await Get(person, $"referrals/{referral}"));

        using var admin = await Admin();
        await AssertProblem(await Get(admin, $"persons/{personId}/follow-up"), HttpStatusCode.Forbidden);
        await AssertProblem(await Get(admin, $"referrals/{referral}"), HttpStatusCode.Forbidden);
        await AssertProblem(await Get(admin, $"persons/{personId}/contact-persons"), HttpStatusCode.Forbidden);
        await AssertProblem(await Get(admin, $"persons/{personId}/accompaniments"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task ASensitiveBodysReferral_IsSeenByItsTwoBodiesAndThePersonOnly()
    {
        var shelter = await NewBody("Maison des femmes", sensitive: true);
        var (personId, _, _) = await Followed();
        await Grant(personId, shelter);
        var toShelter = await SendReferral(SocialWorker, personId, shelter);

        var ccas = await FollowUp(SocialWorker, personId);
        Assert.Contains(toShelter, ccas["orientations"]!.AsArray().Select(o => o!["id"]!.GetValue<Guid>()));

        // The CAF is involved and granted everything, yet the referral to the shelter is not there, and nothing says so.
        var caf = await FollowUp(CafAgent, personId);
        Assert.DoesNotContain(toShelter.ToString(), caf.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Maison des femmes", caf.ToJsonString(), StringComparison.Ordinal);
        Assert.Empty(caf["categoriesWithheld"]!.AsArray());
        using var cafClient = await As(CafAgent);
        await AssertUnknown(await Get(cafClient, $"referrals/{toShelter}"));
    }

    [Fact]
    public async Task TheCompanion_SeesWhatThePersonLetThemSee_UntilRemoved()
    {
        var (personId, _, _) = await Followed();
        var companion = await ChooseCompanion(personId, PeerWorker, [Categories.Orientation, Categories.Accompaniment]);

        var view = await FollowUp(PeerWorker, personId);
        Assert.Equal(["orientation", "accompaniment"], Strings(view["categoriesShown"]));
        Assert.Null(view["displayName"]);
        Assert.Null(view["orientations"]![0]!["reason"]);

        await RemoveCompanion(companion, personId);
        await FollowUp(PeerWorker, personId, HttpStatusCode.NotFound);
        // The volunteer of the same association was never chosen.
        await FollowUp(Volunteer, personId, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task EveryRead_AppendsExactlyOneAccessEvent_GrantedOrDenied()
    {
        var (personId, referral, consent) = await Followed();
        var before = await AccessEvents(personId);

        await FollowUp(SocialWorker, personId);
        Assert.Equal(before + 1, await AccessEvents(personId));
        var granted = await LastAccessEvent(personId);
        Assert.Equal(("consent", "referrals", "GET /persons/{personId:guid}/follow-up"),
            (granted["basis"]!.GetValue<string>(), granted["service"]!.GetValue<string>(), granted["route"]!.GetValue<string>()));
        Assert.Equal(Categories.All.Order(), Strings(granted["categoriesShown"]).Order());

        await FollowUp(MairieSecretary, personId, HttpStatusCode.NotFound);
        Assert.Equal(before + 2, await AccessEvents(personId));
        var denied = await LastAccessEvent(personId);
        Assert.Equal("denied", denied["basis"]!.GetValue<string>());
        Assert.Empty(denied["categoriesShown"]!.AsArray());
        Assert.Equal(Categories.All.Order(), Strings(denied["categoriesWithheld"]).Order());

        using var caf = await As(CafAgent);
        await Json(await Get(caf, $"referrals/{referral}"), HttpStatusCode.OK);
        Assert.Equal(before + 3, await AccessEvents(personId));
        Assert.Equal(consent, (await LastAccessEvent(personId))["consentId"]!.GetValue<Guid>());
        await Json(await Get(caf, $"persons/{personId}/contact-persons"), HttpStatusCode.OK);
        Assert.Equal(before + 4, await AccessEvents(personId));
        await Json(await Get(caf, $"persons/{personId}/accompaniments"), HttpStatusCode.OK);
        Assert.Equal(before + 5, await AccessEvents(personId));
        await Json(await Get(caf, "referrals?direction=inbox&pageSize=100"), HttpStatusCode.OK);
        Assert.Equal(before + 6, await AccessEvents(personId));

        // The outbox publishes them as PersonDataAccessed (its progress passes the last one).
        var last = await Fixture.Database.Scalar<long>($"select max(seq_id) from referrals.mt_events where data ->> 'personId' = '{personId}'");
        await Coordination.Testing.OutboxProgress.AssertPassed(Fixture.Referrals, Fixture.Database, last, Delivery, "the outbox publishing the access events");
    }
}
