using System.Globalization;
using System.Net;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Referrals.Api;
using Referrals.Api.Referrals;
using Referrals.Api.Referrals.Expiring;
using Xunit;

namespace Referrals.Tests.Api;

/// <summary>The expiry job on a fake clock, against the real store: a referral left unanswered past its due day expires.</summary>
[Collection(ReferralsCollection.Name)]
public sealed class ExpiryTests(ReferralsFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task AReferralStillOpenAfterItsDueDay_Expires_WhenTheClockPassesIt_AndTheReceiverKeepsItOnly()
    {
        var personId = await PersonWithGrants(Ccas, Caf);
        var dueBy = Clock.ParisDate(DateTimeOffset.UtcNow).AddDays(2);
        var open = await SendReferral(SocialWorker, personId, Caf, new { dueBy = dueBy.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) });
        var reviewed = await SendReferral(SocialWorker, personId, Caf, new { dueBy = dueBy.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) });
        await Json(await Transition(CafAgent, reviewed, "review"), HttpStatusCode.OK);
        var answered = await SendReferral(SocialWorker, personId, Caf, new { dueBy = dueBy.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) });
        await Json(await Transition(CafAgent, answered, "accept"), HttpStatusCode.OK);
        var later = await SendReferral(SocialWorker, personId, Caf, new { dueBy = dueBy.AddDays(30).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) });

        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var job = new ReferralExpiryJob(Store, clock, NullLogger<ReferralExpiryJob>.Instance);
        await job.StartAsync(CancellationToken.None);
        try
        {
            // Its due day has not ended: nothing happens, however long the job runs.
            clock.Advance(TimeSpan.FromDays(1));
            await Task.Delay(500);
            Assert.Equal(ReferralStatus.Sent, (await Details(open)).Status);

            clock.Advance(TimeSpan.FromDays(2));
            await Eventually(async s => (await s.LoadAsync<Referrals.Api.Referrals.GettingDetails.ReferralDetails>(open))?.Status == ReferralStatus.Expired
                && (await s.LoadAsync<Referrals.Api.Referrals.GettingDetails.ReferralDetails>(reviewed))?.Status == ReferralStatus.Expired, "the expiry");
        }
        finally
        {
            await job.StopAsync(CancellationToken.None);
        }

        Assert.Equal(ReferralStatus.Accepted, (await Details(answered)).Status);
        Assert.Equal(ReferralStatus.Sent, (await Details(later)).Status);
        var expired = await Details(open);
        Assert.Equal(Deadline.ExpiresAt(dueBy), expired.History[^1].At);
        Assert.Null(expired.History[^1].By);

        // Expired is final.
        var problem = await AssertProblem(await Transition(CafAgent, open, "accept"), HttpStatusCode.Conflict, "illegal-transition");
        Assert.Equal("expired", problem["currentStatus"]!.GetValue<string>());

        // The receiver stays involved for the expired referrals only (it still has the accepted one, which keeps it involved).
        await using var session = Store.QuerySession();
        Assert.True((await session.LoadAsync<InvolvementRecord>(InvolvementRecord.KeyOf(personId, Caf, InvolvementKind.ReferralReceiver, open)))!.ItemOnly);
        Assert.False((await session.LoadAsync<InvolvementRecord>(InvolvementRecord.KeyOf(personId, Caf, InvolvementKind.ReferralReceiver, answered)))!.ItemOnly);
        Assert.Equal(2, await Fixture.Database.Scalar<long>(
            $"select count(*) from referrals.mt_events where type = 'referral_expired' and data ->> 'personId' = '{personId}'"));
    }

    [Fact]
    public async Task TwoJobsRacing_ExpireAReferralOnce()
    {
        var personId = await PersonWithGrants(Ccas, Caf);
        var dueBy = Clock.ParisDate(DateTimeOffset.UtcNow);
        var referral = await SendReferral(SocialWorker, personId, Caf, new { dueBy = dueBy.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) });

        var clock = new FakeTimeProvider(Deadline.ExpiresAt(dueBy).AddMinutes(1));
        using var one = new ReferralExpiryJob(Store, clock, NullLogger<ReferralExpiryJob>.Instance);
        using var two = new ReferralExpiryJob(Store, clock, NullLogger<ReferralExpiryJob>.Instance);
        await Task.WhenAll(one.ExpireDueAsync(CancellationToken.None), two.ExpireDueAsync(CancellationToken.None));

        Assert.Equal(ReferralStatus.Expired, (await Details(referral)).Status);
        Assert.Equal(1, await Fixture.Database.Scalar<long>($"select count(*) from referrals.mt_events where type = 'referral_expired' and stream_id = '{referral}'"));
    }
}
