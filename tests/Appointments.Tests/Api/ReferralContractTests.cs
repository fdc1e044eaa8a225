using Appointments.Api.Copies;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using Marten;
using Referrals.Contracts;
using Xunit;

namespace Appointments.Tests.Api;

/// <summary>
/// Referral contracts arrive in bursts, consumed concurrently: the copy and the involvement each implies are written in
/// one transaction, whatever the order of arrival, and a contract delivered twice changes nothing.
/// </summary>
[Collection(AppointmentsCollection.Name)]
public sealed class ReferralContractTests(AppointmentsFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task ABurstOfReferralContracts_InAnyOrderAndTwice_GivesEachCopyAndItsInvolvementOnce()
    {
        var person = Guid.CreateVersion7();
        var now = DateTimeOffset.UtcNow;
        var sent = Enumerable.Range(0, 40).Select(i =>
            new ReferralSent(Guid.CreateVersion7(), person, Ccas, "s", Caf, null, "acces-aux-droits", null, "normal", Day(20), null, now.AddSeconds(i))).ToList();
        var declined = sent.Take(5).Select(s => new ReferralDeclined(s.ReferralId, person, Caf, "no_capacity", s.OccurredAt.AddMinutes(1))).ToList();
        var accepted = sent.Skip(5).Take(5).Select(s => new ReferralAccepted(s.ReferralId, person, Caf, s.OccurredAt.AddMinutes(1))).ToList();
        var redirectedFrom = sent[10];
        var redirected = new ReferralRedirected(redirectedFrom.ReferralId, person, Caf, Guid.CreateVersion7(), Ccas, "wrong_body", now.AddMinutes(2));

        // The declines and acceptances first, then every referral twice, all at once: ends arrive before starts.
        await Task.WhenAll(declined.Select(Publish).Concat(accepted.Select(Publish)));
        await Task.WhenAll(sent.Concat(sent).Select(Publish).Append(Publish(redirected)));

        var ids = sent.Select(s => s.ReferralId).Append(redirected.NewReferralId).ToList();
        await Eventually(async s =>
        {
            var copies = await s.LoadManyAsync<ReferralCopy>(ids);
            return copies.Count == ids.Count && copies.All(c => c.Known) && copies.Count(c => c.Status == "declined") == 5
                && copies.Count(c => c.Status == "accepted") == 5 && copies.Single(c => c.Id == redirectedFrom.ReferralId).Status == "redirected"
                && await s.Query<InvolvementRecord>().CountAsync(i => i.PersonId == person) == 2 * ids.Count;
        }, "every copy and its two involvement records");

        await using var session = Store.QuerySession();
        var copiesById = (await session.LoadManyAsync<ReferralCopy>(ids)).ToDictionary(c => c.Id);
        Assert.All(sent, s => Assert.Equal((Ccas, Caf), (copiesById[s.ReferralId].FromBodyId!.Value, copiesById[s.ReferralId].ToBodyId!.Value)));
        var next = copiesById[redirected.NewReferralId];
        Assert.Equal((Caf, Ccas, ReferralCopy.Sent), (next.FromBodyId!.Value, next.ToBodyId!.Value, next.Status));

        var records = await session.Query<InvolvementRecord>().Where(i => i.PersonId == person).ToListAsync();
        var receivers = records.Where(r => r.Kind == InvolvementKind.ReferralReceiver).ToDictionary(r => r.ItemId!.Value);
        var senders = records.Where(r => r.Kind == InvolvementKind.ReferralSender).ToDictionary(r => r.ItemId!.Value);
        Assert.Equal(ids.ToHashSet(), receivers.Keys.ToHashSet());
        Assert.Equal(ids.ToHashSet(), senders.Keys.ToHashSet());
        // A decline narrows the receiver to that referral, even when it arrived before the referral itself.
        Assert.Equal(declined.Select(d => d.ReferralId).ToHashSet(), receivers.Values.Where(r => r.ItemOnly).Select(r => r.ItemId!.Value).ToHashSet());
        Assert.All(senders.Values, r => Assert.False(r.ItemOnly));
        Assert.Equal(Caf, senders[redirected.NewReferralId].BodyId);
        Assert.Equal(Ccas, receivers[redirected.NewReferralId].BodyId);
    }
}
