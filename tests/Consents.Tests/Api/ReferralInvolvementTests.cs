using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Demo;
using Coordination.Testing;
using Marten;
using Referrals.Contracts;
using Xunit;

namespace Consents.Tests.Api;

/// <summary>
/// The referral contracts' involvement copy (the secrecy gate's consumer, shared with the other services): a burst in
/// any order, every message delivered twice and consumed concurrently, gives each record once and as §4 says.
/// </summary>
[Collection(ConsentsCollection.Name)]
public sealed class ReferralInvolvementTests(ConsentsFixture fixture)
{
    private static readonly Guid Ccas = DemoData.CcasNarbonne;
    private static readonly Guid Caf = DemoData.CafAude;

    [Fact]
    public async Task ABurstOfReferralContracts_InAnyOrderAndTwice_InvolvesEachBodyOnce()
    {
        var person = Guid.CreateVersion7();
        var now = DateTimeOffset.UtcNow;
        var sent = Enumerable.Range(0, 40).Select(i => new ReferralSent(Guid.CreateVersion7(), person, Ccas, "s", Caf, null, "acces-aux-droits", null,
            "normal", new DateOnly(2027, 1, 31), null, now.AddSeconds(i))).ToList();
        var declined = sent.Take(4).Select(s => new ReferralDeclined(s.ReferralId, person, Caf, "no_capacity", s.OccurredAt.AddMinutes(1))).ToList();
        var expired = new ReferralExpired(sent[4].ReferralId, person, Caf, now.AddDays(30));
        var redirected = new ReferralRedirected(sent[5].ReferralId, person, Caf, Guid.CreateVersion7(), Ccas, "wrong_body", now.AddMinutes(2));

        // The ends first, then every referral twice, all at once: ends arrive before starts, duplicates race each other.
        await Task.WhenAll(declined.Select(d => fixture.Publish(d)).Append(fixture.Publish(expired)));
        await Task.WhenAll(sent.Concat(sent).Select(s => fixture.Publish(s)).Append(fixture.Publish(redirected)).Append(fixture.Publish(redirected)));

        var ids = sent.Select(s => s.ReferralId).Append(redirected.NewReferralId).ToList();
        List<InvolvementRecord> records = [];
        await CoordinationFixture.AssertEventually(async () =>
        {
            await using var session = fixture.Store.QuerySession();
            records = [.. await session.Query<InvolvementRecord>().Where(i => i.PersonId == person).ToListAsync()];
            return records.Count == 2 * ids.Count;
        }, ConsentsFixture.Delivery, "two involvement records per referral");

        var receivers = records.Where(r => r.Kind == InvolvementKind.ReferralReceiver).ToDictionary(r => r.ItemId!.Value);
        var senders = records.Where(r => r.Kind == InvolvementKind.ReferralSender).ToDictionary(r => r.ItemId!.Value);
        Assert.Equal(ids.ToHashSet(), receivers.Keys.ToHashSet());
        Assert.Equal(ids.ToHashSet(), senders.Keys.ToHashSet());
        // A decline or an expiry narrows the receiver to that referral, even when it arrived before the referral.
        Assert.Equal(declined.Select(d => d.ReferralId).Append(expired.ReferralId).ToHashSet(),
            receivers.Values.Where(r => r.ItemOnly).Select(r => r.ItemId!.Value).ToHashSet());
        Assert.All(records, r => Assert.True(r.Active));
        Assert.All(sent.Skip(5), s => Assert.Equal((Ccas, s.OccurredAt), (senders[s.ReferralId].BodyId, senders[s.ReferralId].AsOf)));
        Assert.Equal((Caf, Ccas), (senders[redirected.NewReferralId].BodyId, receivers[redirected.NewReferralId].BodyId));
    }
}
