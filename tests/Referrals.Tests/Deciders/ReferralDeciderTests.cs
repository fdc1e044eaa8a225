using Coordination.Secrecy;
using Referrals.Api;
using Referrals.Api.Referrals;
using Referrals.Api.Referrals.Accepting;
using Referrals.Api.Referrals.Closing;
using Referrals.Api.Referrals.Declining;
using Referrals.Api.Referrals.Expiring;
using Referrals.Api.Referrals.Redirecting;
using Referrals.Api.Referrals.Reviewing;
using Referrals.Api.Referrals.Sending;
using Referrals.Api.Referrals.Withdrawing;
using Xunit;

namespace Referrals.Tests.Deciders;

/// <summary>Every transition of DESIGN §3, legal and illegal, on the pure deciders: Given(events) / When(command) / Then(events or refusal).</summary>
public sealed class ReferralDeciderTests
{
    private static readonly Guid Person = Guid.CreateVersion7();
    private static readonly Guid Ccas = Guid.CreateVersion7();
    private static readonly Guid Caf = Guid.CreateVersion7();
    private static readonly Guid Msa = Guid.CreateVersion7();
    private static readonly Guid ReferralId = Guid.CreateVersion7();
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly DueBy = new(2026, 3, 20);
    private static readonly Actor SocialWorker = new("sw", "Sophie", Ccas);
    private static readonly Actor CafAgent = new("caf", "Claire", Caf);

    private static ReferralSent Sent() => new(ReferralId, Person, Ccas, Caf, null, "famille--garde-denfants", TargetRight.Rsa, "raison", Urgency.Normal,
        DueBy, null, SocialWorker, T0);

    /// <summary>The events that bring a sent referral to each status.</summary>
    private static object[] To(ReferralStatus status) => status switch
    {
        ReferralStatus.Sent => [],
        ReferralStatus.InReview => [new ReferralReviewStarted(ReferralId, Person, Caf, CafAgent, T0)],
        ReferralStatus.Accepted => [new ReferralAccepted(ReferralId, Person, Caf, null, CafAgent, T0)],
        ReferralStatus.Declined => [new ReferralDeclined(ReferralId, Person, Caf, DeclineReason.NoCapacity, null, CafAgent, T0)],
        ReferralStatus.Redirected => [new ReferralRedirected(ReferralId, Person, Caf, Guid.CreateVersion7(), Msa, RedirectReason.BetterSuitedBody, null, CafAgent, T0)],
        ReferralStatus.Withdrawn => [new ReferralWithdrawn(ReferralId, Person, Ccas, WithdrawReason.NeedMet, null, SocialWorker, T0)],
        ReferralStatus.Expired => [new ReferralExpired(ReferralId, Person, Caf, DueBy, T0)],
        ReferralStatus.Closed => [new ReferralAccepted(ReferralId, Person, Caf, null, CafAgent, T0),
            new ReferralClosed(ReferralId, Person, Caf, ClosingOutcome.RightOpened, TargetRight.Rsa, null, CafAgent, T0)],
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    private static Referral Given(ReferralStatus status) => To(status).Aggregate(Referral.Create(Sent()), ReferralActions.Apply);

    private static PersonFacts Facts(params Grant[] grants) => new(Person, grants, [], [], new HashSet<Guid>());

    private static Grant OrientationGrant(Guid body, string purpose = Purposes.FollowUpCoordination, string[]? categories = null,
        DateTimeOffset? until = null, DateTimeOffset? revokedAt = null) =>
        new(Guid.CreateVersion7(), body, (categories ?? [Categories.Orientation]).ToHashSet(), purpose, T0.AddDays(-1), until ?? T0.AddYears(1), revokedAt);

    private static readonly Dictionary<string, Func<Referral, Decided>> Actions = new()
    {
        ["review"] = r => ReviewReferralDecider.Decide(r, new ReviewReferral(CafAgent, T0)),
        ["accept"] = r => AcceptReferralDecider.Decide(r, new AcceptReferral("ok", CafAgent, T0)),
        ["decline"] = r => DeclineReferralDecider.Decide(r, new DeclineReferral(DeclineReason.OutOfTerritory, null, CafAgent, T0)),
        ["redirect"] = r => RedirectReferralDecider.Decide(r, new RedirectReferral(Guid.CreateVersion7(), Msa, RedirectReason.BetterSuitedBody, null,
            null, DueBy, CafAgent, T0), Facts(OrientationGrant(Msa))),
        ["close"] = r => CloseReferralDecider.Decide(r, new CloseReferral(ClosingOutcome.RightOpened, null, null, CafAgent, T0)),
        ["withdraw"] = r => WithdrawReferralDecider.Decide(r, new WithdrawReferral(WithdrawReason.PersonRequest, null, SocialWorker, T0)),
        ["expire"] = r => ExpireReferralDecider.Decide(r, Deadline.ExpiresAt(DueBy)),
    };

    /// <summary>DESIGN §3: the status each action leads to, from each status it is allowed in.</summary>
    private static readonly Dictionary<string, (ReferralStatus[] From, ReferralStatus To)> Lifecycle = new()
    {
        ["review"] = ([ReferralStatus.Sent], ReferralStatus.InReview),
        ["accept"] = ([ReferralStatus.Sent, ReferralStatus.InReview], ReferralStatus.Accepted),
        ["decline"] = ([ReferralStatus.Sent, ReferralStatus.InReview], ReferralStatus.Declined),
        ["redirect"] = ([ReferralStatus.Sent, ReferralStatus.InReview], ReferralStatus.Redirected),
        ["close"] = ([ReferralStatus.Accepted], ReferralStatus.Closed),
        ["withdraw"] = ([ReferralStatus.Sent, ReferralStatus.InReview, ReferralStatus.Accepted], ReferralStatus.Withdrawn),
        ["expire"] = ([ReferralStatus.Sent, ReferralStatus.InReview], ReferralStatus.Expired),
    };

    public static TheoryData<string, ReferralStatus> Legal()
    {
        var data = new TheoryData<string, ReferralStatus>();
        foreach (var (action, (from, _)) in Lifecycle) foreach (var status in from) data.Add(action, status);
        return data;
    }

    public static TheoryData<string, ReferralStatus> Illegal()
    {
        var data = new TheoryData<string, ReferralStatus>();
        foreach (var (action, (from, _)) in Lifecycle)
        {
            foreach (var status in Enum.GetValues<ReferralStatus>().Except(from)) data.Add(action, status);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Legal))]
    public void GivenAReferralInAStatus_WhenALegalTransition_ThenItsEventLeadsToTheNextStatus(string action, ReferralStatus from)
    {
        var referral = Given(from);
        var decided = Actions[action](referral);

        Assert.False(decided.Refused);
        var after = decided.Events.Aggregate(referral, ReferralActions.Apply);
        Assert.Equal(Lifecycle[action].To, after.Status);
    }

    [Theory]
    [MemberData(nameof(Illegal))]
    public void GivenAReferralInAStatus_WhenAnIllegalTransition_ThenRefusedWithTheCurrentStatus(string action, ReferralStatus from)
    {
        var decided = Actions[action](Given(from));

        Assert.True(decided.Refused);
        Assert.Empty(decided.Events);
        Assert.Equal("illegal-transition", decided.Refusal!.Code);
        Assert.Equal(from, decided.Refusal.CurrentStatus);
    }

    [Fact]
    public void GivenTheFinalStatuses_ThenNoActionIsLegal()
    {
        ReferralStatus[] final = [ReferralStatus.Declined, ReferralStatus.Redirected, ReferralStatus.Withdrawn, ReferralStatus.Expired, ReferralStatus.Closed];
        foreach (var status in final)
        {
            Assert.All(Actions.Values, act => Assert.True(act(Given(status)).Refused, $"{status}"));
        }
    }

    [Fact]
    public void GivenASentReferral_WhenDeclined_ThenTheEventCarriesTheReasonTheNoteAndWhoDeclined()
    {
        var decided = DeclineReferralDecider.Decide(Given(ReferralStatus.Sent), new DeclineReferral(DeclineReason.PersonDeclined, "Pas joignable", CafAgent, T0));
        Assert.Equal(new ReferralDeclined(ReferralId, Person, Caf, DeclineReason.PersonDeclined, "Pas joignable", CafAgent, T0), Assert.Single(decided.Events));
    }

    [Fact]
    public void GivenAnAcceptedReferral_WhenClosedWithoutARight_ThenTheReferralsTargetRightIsRecorded()
    {
        var closed = Assert.IsType<ReferralClosed>(Assert.Single(CloseReferralDecider.Decide(Given(ReferralStatus.Accepted),
            new CloseReferral(ClosingOutcome.NotEligible, null, null, CafAgent, T0)).Events));
        Assert.Equal(TargetRight.Rsa, closed.TargetRight);
        Assert.Equal(ClosingOutcome.NotEligible, closed.Outcome);

        var other = Assert.IsType<ReferralClosed>(Assert.Single(CloseReferralDecider.Decide(Given(ReferralStatus.Accepted),
            new CloseReferral(ClosingOutcome.RightOpened, TargetRight.PrimeActivite, null, CafAgent, T0)).Events));
        Assert.Equal(TargetRight.PrimeActivite, other.TargetRight);
    }

    [Fact]
    public void GivenAReferralInReview_WhenRedirected_ThenItIsMarkedRedirectedAndANewReferralGoesFromTheRedirectingBody()
    {
        var newId = Guid.CreateVersion7();
        var decided = RedirectReferralDecider.Decide(Given(ReferralStatus.InReview),
            new RedirectReferral(newId, Msa, RedirectReason.OutOfTerritory, "Hors zone", null, DueBy.AddDays(5), CafAgent, T0), Facts(OrientationGrant(Msa)));

        Assert.Collection(decided.Events,
            e => Assert.Equal(new ReferralRedirected(ReferralId, Person, Caf, newId, Msa, RedirectReason.OutOfTerritory, "Hors zone", CafAgent, T0), e),
            e =>
            {
                var sent = Assert.IsType<ReferralSent>(e);
                Assert.Equal((newId, Caf, Msa, ReferralId), (sent.ReferralId, sent.FromBodyId, sent.ToBodyId, sent.PreviousReferralId));
                Assert.Equal((Person, "famille--garde-denfants", TargetRight.Rsa, "raison", Urgency.Normal, DueBy.AddDays(5)),
                    (sent.PersonId, sent.Need, sent.TargetRight, sent.Reason, sent.Urgency, sent.DueBy));
                Assert.Equal(CafAgent, sent.By);
            });
    }

    public static TheoryData<string> GrantsThatDoNotOpenOrientation() => new() { "none", "booking", "rights_review", "no_orientation", "expired", "revoked", "other_body", "not_yet" };

    private static PersonFacts FactsFor(string situation, Guid body) => situation switch
    {
        "none" => Facts(),
        "booking" => Facts(OrientationGrant(body, Purposes.AppointmentBooking, [.. Categories.All])),
        "rights_review" => Facts(OrientationGrant(body, Purposes.RightsReview, [.. Categories.All])),
        "no_orientation" => Facts(OrientationGrant(body, categories: [Categories.Identity, Categories.Contacts])),
        "expired" => Facts(OrientationGrant(body, until: T0.AddSeconds(-1))),
        "revoked" => Facts(OrientationGrant(body, revokedAt: T0.AddDays(-1))),
        "other_body" => Facts(OrientationGrant(Guid.CreateVersion7())),
        "not_yet" => Facts(new Grant(Guid.CreateVersion7(), body, new HashSet<string> { Categories.Orientation }, Purposes.FollowUpCoordination, T0.AddDays(1), T0.AddDays(30))),
        _ => throw new ArgumentOutOfRangeException(nameof(situation)),
    };

    [Theory]
    [MemberData(nameof(GrantsThatDoNotOpenOrientation))]
    public void GivenNoActiveOrientationGrantToTheReceiver_WhenSent_ThenConsentRequired(string situation)
    {
        var command = new SendReferral(ReferralId, Person, Ccas, Caf, null, "famille--garde-denfants", null, null, Urgency.Normal, DueBy, null, SocialWorker, T0);
        var decided = SendReferralDecider.Decide(command, FactsFor(situation, Caf));
        Assert.True(decided.Refused);
        Assert.Equal("consent-required", decided.Refusal!.Code);
        Assert.Empty(decided.Events);
    }

    [Theory]
    [MemberData(nameof(GrantsThatDoNotOpenOrientation))]
    public void GivenNoActiveOrientationGrantToTheNewReceiver_WhenRedirected_ThenConsentRequired(string situation)
    {
        var decided = RedirectReferralDecider.Decide(Given(ReferralStatus.Sent),
            new RedirectReferral(Guid.CreateVersion7(), Msa, RedirectReason.NoCapacity, null, null, DueBy, CafAgent, T0), FactsFor(situation, Msa));
        Assert.Equal("consent-required", decided.Refusal?.Code);
        Assert.Empty(decided.Events);
    }

    [Fact]
    public void GivenAnActiveOrientationGrantToTheReceiver_WhenSent_ThenReferralSent()
    {
        var command = new SendReferral(ReferralId, Person, Ccas, Caf, null, "famille--garde-denfants", TargetRight.Apl, "r", Urgency.Urgent, DueBy, null, SocialWorker, T0);
        var decided = SendReferralDecider.Decide(command, Facts(OrientationGrant(Caf)));
        Assert.Equal(new ReferralSent(ReferralId, Person, Ccas, Caf, null, "famille--garde-denfants", TargetRight.Apl, "r", Urgency.Urgent, DueBy, null,
            SocialWorker, T0), Assert.Single(decided.Events));
    }

    [Fact]
    public void GivenAnOpenReferral_WhenItsDueDayHasNotEnded_ThenItDoesNotExpire_AndAtTheEndItExpiresThen()
    {
        var referral = Given(ReferralStatus.InReview);
        var end = Deadline.ExpiresAt(DueBy);
        Assert.Equal("not-due", ExpireReferralDecider.Decide(referral, end.AddTicks(-1)).Refusal?.Code);

        var expired = Assert.IsType<ReferralExpired>(Assert.Single(ExpireReferralDecider.Decide(referral, end.AddDays(3)).Events));
        Assert.Equal(end, expired.At);
        // The due day is a French calendar day: it ends at midnight in Paris (23:00 UTC in winter).
        Assert.Equal(new DateTimeOffset(2026, 3, 20, 23, 0, 0, TimeSpan.Zero), end);
    }

    [Fact]
    public void SendRequest_IsValidated_FieldByField()
    {
        var today = new DateOnly(2026, 3, 2);
        var errors = SendReferralDecider.Validate(new SendReferralRequest(Guid.Empty, Ccas, "pas-une-thematique", Reason: new string('x', 2001),
            DueBy: today.AddDays(-1)), Ccas, today);
        Assert.Equal(["dueBy", "need", "personId", "reason", "toBodyId"], errors.Keys.Order());
        Assert.Empty(SendReferralDecider.Validate(new SendReferralRequest(Person, Caf, "famille--garde-denfants", DueBy: today), Ccas, today));
    }
}
