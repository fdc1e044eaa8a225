using System.Net;
using Coordination.Secrecy;
using Xunit;

namespace Referrals.Tests.Api;

[Collection(ReferralsCollection.Name)]
public sealed class SendReferralTests(ReferralsFixture fixture) : ApiTest(fixture)
{
    private Task<long> ReferralEventsOf(Guid personId) => Fixture.Database.Scalar<long>(
        $"select count(*) from referrals.mt_events where type like 'referral_%' and data ->> 'personId' = '{personId}'");

    [Fact]
    public async Task Send_ByAnInvolvedBody_ToABodyWithAnOrientationGrant_IsCreated_AndSeenByBothBodies()
    {
        var personId = await PersonWithGrants(Ccas, Caf);
        using var client = await As(SocialWorker);

        var response = await Post(client, "referrals", new { personId, toBodyId = Caf, need = Need, targetRight = "prime_activite", urgency = "urgent", reason = "Dossier RSA" });
        var created = await Json(response, HttpStatusCode.Created);
        var id = created["id"]!.GetValue<Guid>();
        Assert.Equal($"/referrals/{id}", response.Headers.Location!.ToString());
        Assert.Equal("\"1\"", ETag(response));
        Assert.Equal("sent", created["status"]!.GetValue<string>());

        using var caf = await As(CafAgent);
        var read = await Json(await Get(caf, $"referrals/{id}"), HttpStatusCode.OK);
        Assert.Equal(("sent", "prime_activite", "urgent", "Dossier RSA"), (read["status"]!.GetValue<string>(), read["targetRight"]!.GetValue<string>(),
            read["urgency"]!.GetValue<string>(), read["reason"]!.GetValue<string>()));
        Assert.Equal("CCAS de Narbonne", read["from"]!["name"]!.GetValue<string>());
        Assert.Equal("Camille Durand", read["personName"]!.GetValue<string>());
        var sent = Assert.Single(read["history"]!.AsArray());
        Assert.Equal("sent", sent!["kind"]!.GetValue<string>());
        Assert.Equal(Ccas, sent["by"]!["bodyId"]!.GetValue<Guid>());
        // Urgent: due eight days from today by default.
        Assert.Equal(Referrals.Api.Clock.ParisDate(DateTimeOffset.UtcNow).AddDays(8), DateOnly.Parse(read["dueBy"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Send_WithoutAnOrientationGrantToTheReceiver_Is409ConsentRequired_AndNothingIsAppended()
    {
        var personId = await NewPerson(Ccas);
        await Grant(personId, Caf, [Categories.Identity, Categories.Appointments]);
        await Grant(personId, Caf, [.. Categories.All], Purposes.AppointmentBooking);
        using var client = await As(SocialWorker);

        await AssertProblem(await Post(client, "referrals", new { personId, toBodyId = Caf, need = Need }), HttpStatusCode.Conflict, "consent-required");
        await AssertProblem(await Post(client, "referrals", new { personId, toBodyId = FranceServices, need = Need }), HttpStatusCode.Conflict, "consent-required");

        Assert.Equal(0, await ReferralEventsOf(personId));
        Assert.Equal(0, await Fixture.Database.Scalar<long>(
            $"select count(*) from referrals.mt_doc_involvementrecord where data ->> 'personId' = '{personId}' and data ->> 'kind' like 'referral%'"));
    }

    [Fact]
    public async Task Send_AfterTheReceiversGrantWasRevokedOrExpired_Is409()
    {
        var personId = await NewPerson(Ccas);
        var revoked = await Grant(personId, Caf);
        var expired = await Grant(personId, FranceServices);
        await Revoke(revoked, personId, Caf);
        await Expire(expired, personId, FranceServices);
        using var client = await As(SocialWorker);

        await AssertProblem(await Post(client, "referrals", new { personId, toBodyId = Caf, need = Need }), HttpStatusCode.Conflict, "consent-required");
        await AssertProblem(await Post(client, "referrals", new { personId, toBodyId = FranceServices, need = Need }), HttpStatusCode.Conflict, "consent-required");
        Assert.Equal(0, await ReferralEventsOf(personId));
    }

    [Fact]
    public async Task Send_ByABodyNotInvolved_Is404AsForAnUnknownPerson()
    {
        var personId = await PersonWithGrants(FranceServices);
        using var caf = await As(CafAgent);

        await AssertUnknown(await Post(caf, "referrals", new { personId, toBodyId = FranceServices, need = Need }));
        await AssertUnknown(await Post(caf, "referrals", new { personId = Guid.CreateVersion7(), toBodyId = FranceServices, need = Need }));
        Assert.Equal(0, await ReferralEventsOf(personId));
    }

    [Theory]
    [InlineData(PersonLogin)]
    [InlineData(PeerWorker)]
    [InlineData(Volunteer)]
    public async Task Send_ByAPersonOrARoleThatMayNotSeeOrientations_Is403(string login)
    {
        using var client = await As(login);
        await AssertProblem(await Post(client, "referrals", new { personId = Guid.CreateVersion7(), toBodyId = Caf, need = Need }), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Send_ByAnAdminOrAPartnerSystem_Is403_AndWithoutAToken401()
    {
        using var admin = await Admin();
        await AssertProblem(await Post(admin, "referrals", new { personId = Guid.CreateVersion7(), toBodyId = Caf, need = Need }), HttpStatusCode.Forbidden);
        using var anonymous = Fixture.Client(Fixture.Referrals);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Post(anonymous, "referrals", new { })).StatusCode);
    }

    [Theory]
    [InlineData("""{"toBodyId":"0193a0a0-0000-7000-8000-000000000002","need":"x"}""", "personId")]
    [InlineData("""{"personId":"0193a0a0-0000-7000-8000-0000000000a1","need":"difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits"}""", "toBodyId")]
    [InlineData("""{"personId":"0193a0a0-0000-7000-8000-0000000000a1","toBodyId":"0193a0a0-0000-7000-8000-000000000001","need":"difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits"}""", "toBodyId")]
    [InlineData("""{"personId":"0193a0a0-0000-7000-8000-0000000000a1","toBodyId":"0193a0a0-0000-7000-8000-000000000002","need":"manger"}""", "need")]
    [InlineData("""{"personId":"0193a0a0-0000-7000-8000-0000000000a1","toBodyId":"0193a0a0-0000-7000-8000-000000000002"}""", "need")]
    [InlineData("""{"personId":"0193a0a0-0000-7000-8000-0000000000a1","toBodyId":"0193a0a0-0000-7000-8000-000000000002","need":"famille--garde-denfants","targetRight":"loto"}""", "targetRight")]
    [InlineData("""{"personId":"0193a0a0-0000-7000-8000-0000000000a1","toBodyId":"0193a0a0-0000-7000-8000-000000000002","need":"famille--garde-denfants","urgency":"very"}""", "urgency")]
    [InlineData("""{"personId":"0193a0a0-0000-7000-8000-0000000000a1","toBodyId":"0193a0a0-0000-7000-8000-000000000002","need":"famille--garde-denfants","dueBy":"2001-01-01"}""", "dueBy")]
    [InlineData("""{"personId":"0193a0a0-0000-7000-8000-0000000000a1","toBodyId":"0193a0a0-0000-7000-8000-000000000002","need":"famille--garde-denfants","dueBy":"demain"}""", "dueBy")]
    [InlineData("""{"personId":"pas-un-id","toBodyId":"0193a0a0-0000-7000-8000-000000000002","need":"famille--garde-denfants"}""", "personId")]
    [InlineData("""{"personId":"0193a0a0-0000-7000-8000-0000000000a1","toBodyId":"0193a0a0-0000-7000-8000-00000000ffff","need":"famille--garde-denfants"}""", "toBodyId")]
    [InlineData("""{"personId":"0193a0a0-0000-7000-8000-0000000000a1","toBodyId":"0193a0a0-0000-7000-8000-000000000002","need":"famille--garde-denfants","serviceId":"0193a0a0-0000-7000-8000-00000000ffff"}""", "serviceId")]
    public async Task Send_WithBadInput_Is400NamingTheField(string body, string field)
    {
        using var client = await As(SocialWorker);
        await AssertInvalid(await Post(client, "referrals", body), field);
    }

    [Fact]
    public async Task Send_WithAReasonOver2000Characters_Is400()
    {
        using var client = await As(SocialWorker);
        await AssertInvalid(await Post(client, "referrals", new { personId = Guid.CreateVersion7(), toBodyId = Caf, need = Need, reason = new string('x', 2001) }), "reason");
    }

    [Fact]
    public async Task Send_WithTheSameIdempotencyKey_GivesTheFirstAnswerAgain_AndAnotherBodyIs409()
    {
        var personId = await PersonWithGrants(Caf, FranceServices);
        using var client = await As(SocialWorker);
        var key = Guid.NewGuid().ToString("N");
        var body = new { personId, toBodyId = Caf, need = Need };

        var first = await Post(client, "referrals", body, key: key);
        var created = await Json(first, HttpStatusCode.Created);
        var again = await Post(client, "referrals", body, key: key);
        var replayed = await Json(again, HttpStatusCode.Created);

        Assert.Equal(created["id"]!.GetValue<Guid>(), replayed["id"]!.GetValue<Guid>());
        Assert.Equal(first.Headers.Location, again.Headers.Location);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(1, await Fixture.Database.Scalar<long>(
            $"select count(*) from referrals.mt_events where type = 'referral_sent' and data ->> 'personId' = '{personId}'"));

        await AssertProblem(await Post(client, "referrals", new { personId, toBodyId = FranceServices, need = Need }, key: key),
            HttpStatusCode.Conflict, "idempotency-key-reused");
    }
}
