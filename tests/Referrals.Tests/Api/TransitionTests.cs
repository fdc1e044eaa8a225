using System.Net;
using Xunit;

namespace Referrals.Tests.Api;

/// <summary>Transitions over HTTP: who may act, If-Match, illegal transitions, redirect chains, and that each is dated and attributed.</summary>
[Collection(ReferralsCollection.Name)]
public sealed class TransitionTests(ReferralsFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task TheReceiver_ReviewsAcceptsAndCloses_EachStepDatedAndAttributed_AndTheETagFollows()
    {
        var personId = await PersonWithGrants(Ccas, Caf);
        var id = await SendReferral(SocialWorker, personId, Caf, new { targetRight = "rsa" });

        var reviewed = await Json(await Transition(CafAgent, id, "review"), HttpStatusCode.OK);
        Assert.Equal(("in_review", 2), (reviewed["status"]!.GetValue<string>(), reviewed["version"]!.GetValue<int>()));
        var accepted = await Transition(CafAgent, id, "accept", new { note = "Rendez-vous proposé" });
        Assert.Equal("\"3\"", ETag(accepted));
        await Json(await Transition(CafAgent, id, "close", new { outcome = "right_opened" }), HttpStatusCode.OK);

        var details = await Details(id);
        Assert.Equal(Referrals.Api.ReferralStatus.Closed, details.Status);
        Assert.Equal(Referrals.Api.TargetRight.Rsa, details.ClosedTargetRight);
        Assert.Equal(["Sent", "ReviewStarted", "Accepted", "Closed"], details.History.Select(s => s.Kind.ToString()));
        Assert.All(details.History, s => Assert.True(s.At > DateTimeOffset.UtcNow.AddMinutes(-5)));
        Assert.All(details.History.Skip(1), s => Assert.Equal((Caf, "Claire Dubois (CAF)"), (s.By!.BodyId, s.By.Name)));
        Assert.Equal("right_opened", details.History[^1].Code);

        using var ccas = await As(SocialWorker);
        var read = await Json(await Get(ccas, $"referrals/{id}"), HttpStatusCode.OK);
        Assert.Equal("Rendez-vous proposé", read["history"]![2]!["note"]!.GetValue<string>());
    }

    [Fact]
    public async Task ATransition_WithoutIfMatch_Is428_WithAStaleOne412_AndAnIllegalOne409WithTheCurrentStatus()
    {
        var personId = await PersonWithGrants(Caf);
        var id = await SendReferral(SocialWorker, personId, Caf);
        using var caf = await As(CafAgent);

        await AssertProblem(await Post(caf, $"referrals/{id}/accept"), HttpStatusCode.PreconditionRequired, "precondition-required");
        await AssertInvalid(await Post(caf, $"referrals/{id}/accept", ifMatch: "W/\"1\""), "If-Match");
        await Json(await Post(caf, $"referrals/{id}/decline", new { reasonCode = "no_capacity", note = "Complet" }, ifMatch: "\"1\""), HttpStatusCode.OK);
        await AssertProblem(await Post(caf, $"referrals/{id}/accept", ifMatch: "\"1\""), HttpStatusCode.PreconditionFailed, "precondition-failed");

        var problem = await AssertProblem(await Post(caf, $"referrals/{id}/accept", ifMatch: "\"2\""), HttpStatusCode.Conflict, "illegal-transition");
        Assert.Equal("declined", problem["currentStatus"]!.GetValue<string>());
        Assert.Equal(409, problem["status"]!.GetValue<int>());
        var close = await AssertProblem(await Post(caf, $"referrals/{id}/close", new { outcome = "abandoned" }, ifMatch: "\"2\""), HttpStatusCode.Conflict, "illegal-transition");
        Assert.Equal("declined", close["currentStatus"]!.GetValue<string>());
        Assert.Equal(2, await VersionOf(id));
    }

    [Fact]
    public async Task OnlyTheReceiverHandles_OnlyTheSenderWithdraws_OthersGet403IfTheyMaySeeIt_Or404()
    {
        var personId = await PersonWithGrants(Caf, FranceServices);
        var id = await SendReferral(SocialWorker, personId, Caf);
        // France services is involved (a referral it received) and granted: it may see the CCAS → CAF referral, not act on it.
        await SendReferral(SocialWorker, personId, FranceServices);

        await AssertProblem(await Transition(SocialWorker, id, "accept"), HttpStatusCode.Forbidden);
        await AssertProblem(await Transition(Coordinator, id, "review"), HttpStatusCode.Forbidden);
        await AssertProblem(await Transition(CafAgent, id, "withdraw", new { reasonCode = "need_met" }), HttpStatusCode.Forbidden);
        await AssertProblem(await Transition(Adviser, id, "accept"), HttpStatusCode.Forbidden);
        await AssertUnknown(await Transition(MairieSecretary, id, "accept"));
        using (var mairie = await As(MairieSecretary))
        {
            await AssertUnknown(await Post(mairie, $"referrals/{Guid.CreateVersion7()}/accept", ifMatch: "\"1\""));
        }
        using var person = await As(PersonLogin);
        await AssertProblem(await Post(person, $"referrals/{id}/accept", ifMatch: "\"1\""), HttpStatusCode.Forbidden);
        Assert.Equal(1, await VersionOf(id));

        var withdrawn = await Json(await Transition(Coordinator, id, "withdraw", new { reasonCode = "sent_in_error" }), HttpStatusCode.OK);
        Assert.Equal("withdrawn", withdrawn["status"]!.GetValue<string>());
        var step = (await Details(id)).History[^1];
        Assert.Equal((Ccas, "sent_in_error"), (step.By!.BodyId, step.Code));
    }

    [Fact]
    public async Task TwoTransitionsRacingOnTheSameVersion_OnlyOneIsApplied()
    {
        var personId = await PersonWithGrants(Caf);
        for (var round = 0; round < 5; round++)
        {
            var id = await SendReferral(SocialWorker, personId, Caf);
            using var one = await As(CafAgent);
            using var two = await As(CafAgent);
            var answers = await Task.WhenAll(
                Post(one, $"referrals/{id}/accept", ifMatch: "\"1\""),
                Post(two, $"referrals/{id}/decline", new { reasonCode = "no_capacity" }, ifMatch: "\"1\""));

            Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
            Assert.Single(answers, a => a.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict);
            Assert.Equal(2, await VersionOf(id));
        }
    }

    [Fact]
    public async Task ThePeerWorkerOfTheReceivingBody_MayNotHandleReferrals()
    {
        var personId = await PersonWithGrants(Pairs);
        var id = await SendReferral(SocialWorker, personId, Pairs);
        await AssertProblem(await Transition(PeerWorker, id, "accept"), HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("decline", "{}", "reasonCode")]
    [InlineData("decline", """{"reasonCode":"bored"}""", "reasonCode")]
    [InlineData("close", """{"note":"x"}""", "outcome")]
    [InlineData("withdraw", """{"reasonCode":"no_capacity"}""", "reasonCode")]
    [InlineData("redirect", """{"reasonCode":"no_capacity"}""", "toBodyId")]
    [InlineData("redirect", """{"toBodyId":"0193a0a0-0000-7000-8000-000000000003"}""", "reasonCode")]
    [InlineData("accept", """{"note":"__LONG__"}""", "note")]
    public async Task ATransition_WithBadInput_Is400NamingTheField(string action, string body, string field)
    {
        using var caf = await As(CafAgent);
        await AssertInvalid(await Post(caf, $"referrals/{Guid.CreateVersion7()}/{action}", body.Replace("__LONG__", new string('x', 501), StringComparison.Ordinal), ifMatch: "\"1\""), field);
    }

    [Fact]
    public async Task Redirect_MarksTheReferralRedirected_AndSendsANewOneFromTheRedirectingBody_WhichTheOriginalSenderFollows()
    {
        var personId = await PersonWithGrants(Ccas, Caf, FranceServices, Mairie);
        var first = await SendReferral(SocialWorker, personId, Caf, new { targetRight = "apl" });

        // The new receiver needs the consent too.
        var noConsent = await NewBody("Épicerie solidaire");
        await AssertProblem(await Transition(CafAgent, first, "redirect", new { toBodyId = noConsent, reasonCode = "better_suited_body" }), HttpStatusCode.Conflict, "consent-required");
        Assert.Equal(1, await VersionOf(first));

        var redirected = await Json(await Transition(CafAgent, first, "redirect", new { toBodyId = FranceServices, reasonCode = "out_of_territory", note = "Plus proche" }), HttpStatusCode.OK);
        Assert.Equal("redirected", redirected["status"]!.GetValue<string>());
        var second = redirected["newReferralId"]!.GetValue<Guid>();

        var next = await Details(second);
        Assert.Equal((personId, Caf, FranceServices, (Guid?)first, Referrals.Api.ReferralStatus.Sent), (next.PersonId, next.FromBodyId, next.ToBodyId, next.PreviousReferralId, next.Status));
        Assert.Equal((Need, Referrals.Api.TargetRight.Apl), (next.Need, next.TargetRight));

        // A second redirect makes a chain of three.
        var third = (await Json(await Transition(Adviser, second, "redirect", new { toBodyId = Mairie, reasonCode = "no_capacity" }), HttpStatusCode.OK))["newReferralId"]!.GetValue<Guid>();
        await Json(await Transition(MairieSecretary, third, "accept"), HttpStatusCode.OK);

        using var ccas = await As(SocialWorker);
        var original = await Json(await Get(ccas, $"referrals/{first}"), HttpStatusCode.OK);
        Assert.Equal(second, original["nextReferralId"]!.GetValue<Guid>());
        Assert.Equal("out_of_territory", original["history"]![1]!["code"]!.GetValue<string>());
        var middle = await Json(await Get(ccas, $"referrals/{second}"), HttpStatusCode.OK);
        Assert.Equal((first, third), (middle["previousReferralId"]!.GetValue<Guid>(), middle["nextReferralId"]!.GetValue<Guid>()));
        var last = await Json(await Get(ccas, $"referrals/{third}"), HttpStatusCode.OK);
        Assert.Equal("accepted", last["status"]!.GetValue<string>());
        Assert.Equal(FranceServices, last["from"]!["id"]!.GetValue<Guid>());

        // Both the redirect and the new referral are recorded; the contracts leave through the outbox.
        Assert.Equal(2, await Fixture.Database.Scalar<long>(
            $"select count(*) from referrals.mt_events where type = 'referral_redirected' and data ->> 'personId' = '{personId}'"));
        Assert.Equal(3, await Fixture.Database.Scalar<long>(
            $"select count(*) from referrals.mt_events where type = 'referral_sent' and data ->> 'personId' = '{personId}'"));
    }

    [Fact]
    public async Task ARedirectToASensitiveBody_IsNotShownToTheOriginalSender()
    {
        var shelter = await NewBody("Refuge des Corbières", sensitive: true);
        var personId = await PersonWithGrants(Ccas, Caf, shelter);
        var first = await SendReferral(SocialWorker, personId, Caf);
        var second = (await Json(await Transition(CafAgent, first, "redirect", new { toBodyId = shelter, reasonCode = "better_suited_body" }), HttpStatusCode.OK))["newReferralId"]!.GetValue<Guid>();

        using var ccas = await As(SocialWorker);
        var original = await Json(await Get(ccas, $"referrals/{first}"), HttpStatusCode.OK);
        Assert.Equal("redirected", original["status"]!.GetValue<string>());
        Assert.Null(original["nextReferralId"]);
        Assert.DoesNotContain(second.ToString(), original.ToJsonString(), StringComparison.Ordinal);
        await AssertUnknown(await Get(ccas, $"referrals/{second}"));

        using var caf = await As(CafAgent);
        Assert.Equal(second, (await Json(await Get(caf, $"referrals/{first}"), HttpStatusCode.OK))["nextReferralId"]!.GetValue<Guid>());
        await Json(await Get(caf, $"referrals/{second}"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task ADeclinedReferral_LeavesTheReceiverInvolvedForItOnly()
    {
        var personId = await PersonWithGrants(Caf);
        var first = await SendReferral(SocialWorker, personId, Caf);
        await Json(await Transition(CafAgent, first, "decline", new { reasonCode = "not_eligible" }), HttpStatusCode.OK);
        await Grant(personId, FranceServices);
        var other = await SendReferral(SocialWorker, personId, FranceServices);

        using var caf = await As(CafAgent);
        var read = await Json(await Get(caf, $"referrals/{first}"), HttpStatusCode.OK);
        Assert.Equal("declined", read["status"]!.GetValue<string>());
        await AssertUnknown(await Get(caf, $"referrals/{other}"));
        var followUp = await Json(await Get(caf, $"persons/{personId}/follow-up"), HttpStatusCode.OK);
        Assert.Equal([first], followUp["orientations"]!.AsArray().Select(o => o!["id"]!.GetValue<Guid>()));
        Assert.Null(followUp["displayName"]);
        // Involved for that item only, the CAF may not refer the person onwards: the person is unknown to it, as before.
        await AssertUnknown(await Post(caf, "referrals", new { personId, toBodyId = FranceServices, need = Need }));
    }
}
