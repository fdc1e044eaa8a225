using System.Diagnostics;
using System.Net;
using Coordination.ServiceDefaults.Persistence;
using Coordination.Testing;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace Referrals.Tests.Api;

/// <summary>
/// An append that rolled back leaves a hole in the event sequence. The outbox waits for the hole to prove dead
/// (Marten's stale-sequence threshold, 3 s) and then passes it; a transaction left open in the same database —
/// the services share one — holds it at most <see cref="MartenSetup.HeldHoleCap"/> (ADR 0008).
/// </summary>
[Collection(ReferralsCollection.Name)]
public sealed class SequenceGapTests(ReferralsFixture fixture, ITestOutputHelper output) : ApiTest(fixture)
{
    [Fact]
    public async Task AHoleLeftByARolledBackAppend_HoldsTheOutboxAtMostTheCap_EvenBesideAnOpenTransaction()
    {
        var personId = await NewPerson(Ccas);
        await Grant(personId, Ccas);

        await using var idle = new NpgsqlConnection(Fixture.Database.ConnectionString);
        await idle.OpenAsync();
        await using var transaction = await idle.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand("select 1", idle, transaction)) await command.ExecuteScalarAsync();

        // A sequence number taken and never used: what an append that rolled back leaves behind.
        var hole = await Fixture.Database.Scalar<long>("select nextval('referrals.mt_events_sequence')");
        using var client = await As(SocialWorker);
        await Json(await Get(client, $"persons/{personId}/follow-up"), HttpStatusCode.OK);
        var read = await Fixture.Database.Scalar<long>($"select max(seq_id) from referrals.mt_events where data ->> 'personId' = '{personId}'");
        Assert.True(read > hole, "the read's access event comes after the hole");

        var watch = Stopwatch.StartNew();
        var bound = MartenSetup.HeldHoleCap + TimeSpan.FromSeconds(10);
        await OutboxProgress.AssertPassed(Fixture.Referrals, Fixture.Database, read, bound, "the outbox passing the hole");
        output.WriteLine($"the outbox passed the hole after {watch.Elapsed.TotalSeconds:0.0} s");
    }
}
