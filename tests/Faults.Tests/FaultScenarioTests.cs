using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Coordination.Faults;
using Coordination.Testing;
using Referrals.Contracts;
using Xunit;

namespace Faults.Tests;

/// <summary>
/// Scenarios 4-7 of the fault suite (issue 9) on the services in-process: the promise is that a 2xx answer is applied
/// everywhere exactly once in effect, whatever fails. The other scenarios kill real processes and run with
/// <c>./coordination faults</c>.
/// </summary>
[Collection(FaultsCollection.Name)]
public sealed class FaultScenarioTests(FaultsFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Scenario4_a_consumer_host_stopped_after_its_write_and_before_its_ack_applies_the_redelivery_once()
    {
        var person = await fixture.PersonAsync();
        var armed = fixture.Hook.Arm(FaultsFixture.InvolvementQueue, m => m is ReferralSent s && s.PersonId == person);
        var referral = await fixture.ReferralAsync(person);

        var messageId = await armed.Written.Task.WaitAsync(Bound);
        Assert.Equal(2, await fixture.InvolvementsAsync(referral)); // written and committed, not acknowledged
        var written = await fixture.SnapshotAsync();

        await fixture.RestartConsentsAsync(() =>
        {
            // Stopped: the held delivery goes back to the queue unacknowledged.
            armed.Release.TrySetResult();
            return Task.CompletedTask;
        });

        // Waited for by the broker's redelivered flag rather than by a count of deliveries: a delivery the consumer's
        // in-memory retry ran again (a version conflict with another copy of the person) also counts as one.
        try
        {
            await CoordinationFixture.AssertEventually(
                // Delivered again either by the broker to the new host (redelivered flag) or, when the stopping host's
                // channel outlived its stop on a loaded machine, by that host's own retry (seen twice in full runs:
                // 2 deliveries, no flag). Either way the promise checked below is the same: applied once.
                () => Task.FromResult(fixture.Hook.Redelivered(FaultsFixture.InvolvementQueue, messageId) ||
                    fixture.Hook.Deliveries(FaultsFixture.InvolvementQueue, messageId) >= 2),
                Bound, "the held message delivered again");
        }
        catch (TimeoutException e)
        {
            // Seen once in a full run on a loaded machine (the project took 116 s instead of 45): say what the hook saw.
            throw new TimeoutException($"{e.Message} Deliveries of {messageId} seen: " +
                $"{fixture.Hook.Deliveries(FaultsFixture.InvolvementQueue, messageId)}; involvements now " +
                $"{await fixture.InvolvementsAsync(referral)}; error queues: " +
                string.Join(", ", (await fixture.ErrorQueueCountsAsync()).Select(q => $"{q.Key} {q.Value}")), e);
        }
        Assert.True(fixture.Hook.Deliveries(FaultsFixture.InvolvementQueue, messageId) >= 2);
        Assert.Equal(2, await fixture.InvolvementsAsync(referral));
        var after = await fixture.SnapshotAsync();
        var rewritten = written.Where(kv => after.TryGetValue(kv.Key, out var v) && v != kv.Value).Select(kv => kv.Key).ToList();
        Assert.Empty(rewritten);
        Assert.Empty(await fixture.ErrorQueueCountsAsync());
    }

    [Fact]
    public async Task Scenario5_a_poison_message_lands_in_error_after_the_retries_while_others_flow_and_a_redrive_applies_it_once()
    {
        var poisoned = await fixture.PersonAsync();
        var healthy = await fixture.PersonAsync();
        // The cause: Consents' database refuses this one person's involvement, as a corrupt row or a broken constraint would.
        var function = "faults_poison_" + poisoned.ToString("N")[..8];
        await fixture.SqlAsync($"""
            create function consents.{function}() returns trigger language plpgsql as $$
            begin
              if new.data->>'personId' = '{poisoned}' then raise exception 'faults: poison for person %', new.data->>'personId'; end if;
              return new;
            end $$;
            create trigger {function} before insert or update on consents.mt_doc_involvementrecord
              for each row execute function consents.{function}();
            """);
        var error = FaultsFixture.InvolvementQueue + ErrorQueues.Suffix;
        try
        {
            var watch = Stopwatch.StartNew();
            var poison = await fixture.ReferralAsync(poisoned);
            await CoordinationFixture.AssertEventually(async () => await ErrorQueues.CountAsync(fixture.Vhost.AmqpUri, error) == 1,
                Bound, "the poison message in " + error);
            // 100 + 500 + 2000 ms of retries before it faulted.
            Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(2.6), $"faulted after {watch.Elapsed.TotalSeconds:0.0} s");
            var parked = await ErrorQueues.PeekAsync(fixture.Vhost.AmqpUri, error);
            Assert.Single(parked);
            Assert.Contains(poison.ToString(), parked[0], StringComparison.Ordinal);
            Assert.Equal(0, await fixture.InvolvementsAsync(poison));

            // While it is parked, the others keep flowing.
            var other = await fixture.ReferralAsync(healthy);
            await CoordinationFixture.AssertEventually(async () => await fixture.InvolvementsAsync(other) == 2, Bound, "a later referral applied");
            Assert.Equal(1u, await ErrorQueues.CountAsync(fixture.Vhost.AmqpUri, error));

            // The fix, then the re-drive: applied once.
            await fixture.SqlAsync($"drop trigger {function} on consents.mt_doc_involvementrecord; drop function consents.{function}();");
            Assert.Equal(1, await ErrorQueues.RedriveAsync(fixture.Vhost.AmqpUri, FaultsFixture.InvolvementQueue));
            await CoordinationFixture.AssertEventually(async () => await fixture.InvolvementsAsync(poison) == 2, Bound, "the re-driven message applied");
            Assert.Equal(0u, await ErrorQueues.CountAsync(fixture.Vhost.AmqpUri, error));
            Assert.Equal(0, await ErrorQueues.RedriveAsync(fixture.Vhost.AmqpUri, FaultsFixture.InvolvementQueue));
            Assert.Equal(2, await fixture.InvolvementsAsync(poison));
        }
        finally
        {
            await fixture.SqlAsync($"drop trigger if exists {function} on consents.mt_doc_involvementrecord; drop function if exists consents.{function}();");
        }
    }

    [Fact]
    public async Task Scenario6_concurrent_commands_on_one_stream_one_wins_per_version_the_others_get_412_or_409()
    {
        const int racers = 8;
        var referrals = await Task.WhenAll(Enumerable.Range(0, 3).Select(async _ => await fixture.ReferralAsync(await fixture.PersonAsync())));
        using var http = await fixture.UserClient(fixture.Referrals, FaultsFixture.CafAgent);
        foreach (var referral in referrals)
        {
            foreach (var (action, version) in new[] { ("review", 1), ("accept", 2) })
            {
                var answers = await Task.WhenAll(Enumerable.Range(0, racers).Select(async _ =>
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, $"referrals/{referral}/{action}") { Content = JsonContent.Create(new { }) };
                    request.Headers.TryAddWithoutValidation("If-Match", $"\"{version}\"");
                    using var response = await http.SendAsync(request);
                    return response.StatusCode;
                }));
                Assert.Equal(1, answers.Count(s => s == HttpStatusCode.OK));
                Assert.All(answers.Where(s => s != HttpStatusCode.OK), s => Assert.True(s is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict, $"a loser got {(int)s}"));
            }
            Assert.Equal(3L, await fixture.ScalarAsync<long>("select version from referrals.mt_streams where id = @id", ("id", referral)));
            Assert.Equal(2L, await fixture.ScalarAsync<long>(
                "select count(*) from referrals.mt_events where stream_id = @id and type in ('referral_review_started', 'referral_accepted')", ("id", referral)));
        }
    }

    [Fact]
    public async Task Scenario7_every_message_delivered_twice_leaves_the_read_models_as_the_first_delivery_did()
    {
        var queues = (await fixture.Vhost.QueueNames())
            .Where(q => q.StartsWith("consents-", StringComparison.Ordinal) || q.StartsWith("referrals-", StringComparison.Ordinal))
            .Where(q => !q.EndsWith(ErrorQueues.Suffix, StringComparison.Ordinal) && !q.EndsWith("_skipped", StringComparison.Ordinal))
            .ToList();
        await using var duplicator = new Duplicator(fixture.Vhost.AmqpUri);
        await duplicator.StartAsync(queues);
        var referrals = new List<Guid>();
        for (var i = 0; i < 3; i++) referrals.Add(await fixture.ReferralAsync(await fixture.PersonAsync()));
        foreach (var r in referrals)
        {
            await CoordinationFixture.AssertEventually(async () => await fixture.InvolvementsAsync(r) == 2, Bound, "each referral's involvement");
        }
        await CoordinationFixture.AssertEventually(() => Task.FromResult(duplicator.Duplicated > 0), Bound, "messages duplicated");
        await duplicator.StopAsync();

        // Every message once more, late, after a snapshot: nothing may move.
        await WaitSettledAsync(0);
        var before = await fixture.SnapshotAsync();
        var eventsBefore = await fixture.ScalarAsync<long>("select (select count(*) from consents.mt_events) + (select count(*) from referrals.mt_events)");
        var consumedBefore = fixture.Hook.Consumed;
        var replayed = await duplicator.ReplayAllAsync();
        Assert.True(replayed >= 6, $"{replayed} messages delivered again");
        await WaitSettledAsync(consumedBefore + replayed);

        var after = await fixture.SnapshotAsync();
        var rewritten = before.Where(kv => !after.TryGetValue(kv.Key, out var v) || v != kv.Value).Select(kv => kv.Key).ToList();
        var added = after.Keys.Where(k => !before.ContainsKey(k)).ToList();
        Assert.Empty(rewritten);
        Assert.Empty(added);
        Assert.Equal(eventsBefore, await fixture.ScalarAsync<long>("select (select count(*) from consents.mt_events) + (select count(*) from referrals.mt_events)"));
        foreach (var r in referrals) Assert.Equal(2, await fixture.InvolvementsAsync(r));
        Assert.Empty(await fixture.ErrorQueueCountsAsync());
    }

    /// <summary>
    /// Until at least <paramref name="consumed"/> deliveries ended, no consumer queue holds a message and no delivery
    /// ended for a second and a half (nothing in flight).
    /// </summary>
    private async Task WaitSettledAsync(long consumed)
    {
        var last = -1L;
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var now = fixture.Hook.Consumed;
            if (now >= consumed && now == last && await QueuesEmptyAsync()) return;
            Assert.True(watch.Elapsed < Bound, $"not settled within {Bound.TotalSeconds:0} s: {now} deliveries ended, {consumed} expected");
            last = now;
            await Task.Delay(TimeSpan.FromSeconds(1.5));
        }
    }

    private async Task<bool> QueuesEmptyAsync()
    {
        foreach (var q in await fixture.Vhost.QueueNames())
        {
            if (!q.EndsWith(ErrorQueues.Suffix, StringComparison.Ordinal) && await ErrorQueues.CountAsync(fixture.Vhost.AmqpUri, q) > 0) return false;
        }
        return true;
    }
}
