using System.Diagnostics;
using Coordination.Testing;

namespace Coordination.Faults;

public sealed partial class Suite
{
    public static readonly (int Number, string Title)[] Catalogue =
    [
        (1, "kill -9 Referrals between its commit and the publication of the contract"),
        (2, "kill -9 RabbitMQ mid-publish, start it again after 30 s"),
        (3, "stop PostgreSQL mid-commit for 30 s"),
        (4, "a consumer's host stops after it wrote and before it acknowledged"),
        (5, "a poison message lands in _error while others flow; re-driven after the fix"),
        (6, "concurrent commands on one stream"),
        (7, "every message delivered twice"),
        (8, "slow and broken network between Referrals and RabbitMQ/PostgreSQL"),
        (9, "the async daemon's process killed during a rebuild (outbox replay)"),
    ];

    public Func<ScenarioResult, Task> Scenario(int number) => number switch
    {
        1 => KillServiceBeforePublication,
        2 => KillRabbitMq,
        3 => StopPostgres,
        4 => ConsumerStopsBeforeAck,
        5 => PoisonMessage,
        6 => ConcurrentCommands,
        7 => EveryMessageTwice,
        8 => BrokenNetwork,
        9 => KillDuringRebuild,
        _ => throw new ArgumentOutOfRangeException(nameof(number)),
    };

    // 1 ----------------------------------------------------------------------------------------------------------
    private async Task KillServiceBeforePublication(ScenarioResult result)
    {
        await StartLoadAsync(1);
        // Referrals' bytes to the broker are held (publishes never arrive, so nothing is confirmed) while its commits
        // still reach PostgreSQL: requests keep getting 201 and the outbox falls behind. Then the process dies.
        var link = _rabbit["Referrals"];
        link.Partition(LinkState.UpstreamHeld);
        await Task.Delay(TimeSpan.FromSeconds(6));
        var committed = await _checker.MaxSequenceAsync("referrals");
        var published = await _checker.PublisherProgressAsync("referrals");
        await _services.KillAsync("Referrals");
        var killedAt = DateTimeOffset.UtcNow;
        link.Heal();
        var pending = (await _checker.PairsAsync(
            "select id::text, seq_id from referrals.mt_events where type = 'referral_sent' and seq_id > @from and seq_id <= @to",
            ("from", published), ("to", committed))).Select(r => Guid.Parse(r.Item1)).ToList();
        result.Expect("the outbox was behind its commits when the process died", pending.Count > 0,
            $"published up to #{published}, committed up to #{committed}: {pending.Count} referrals acknowledged, not yet published");
        await Task.Delay(TimeSpan.FromSeconds(2));
        _services.Start("Referrals");
        await _services.WaitReadyAsync("Referrals", TimeSpan.FromSeconds(90));
        var faultEnd = DateTimeOffset.UtcNow;
        result.Notes.Add($"Referrals down {(faultEnd - killedAt).TotalSeconds:0.0} s (kill -9 → ready)");
        result.RecoverySeconds = await MeasureRecoveryAsync(1, faultEnd, result);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await FinishAsync(result);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var once = pending.Count(id => _observer.Publications(id) == 1);
        result.Expect("each contract committed before the kill and not yet published is published exactly once after the restart",
            once == pending.Count, $"{once}/{pending.Count} published once" + Histogram(pending));
    }

    // 2 ----------------------------------------------------------------------------------------------------------
    private async Task KillRabbitMq(ScenarioResult result)
    {
        await StartLoadAsync(2);
        var before = await _checker.MaxSequenceAsync("referrals") + await _checker.MaxSequenceAsync("appointments");
        await _infra.KillRabbitAsync();
        var killedAt = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(30));
        var during = _ledger.Of(2).Where(c => c.Acknowledged && c.AnsweredAt >= killedAt).Count();
        result.Expect("commands keep being acknowledged while the broker is down (the outbox holds the contracts)", during > 0,
            $"{during} acknowledged during the 30 s outage");
        await _infra.StartRabbitAsync();
        var faultEnd = DateTimeOffset.UtcNow;
        result.RecoverySeconds = await MeasureRecoveryAsync(2, faultEnd, result);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await FinishAsync(result);
        var committed = await EventIds("referrals", "referral_sent", killedAt.AddSeconds(-2), faultEnd);
        committed.AddRange(await EventIds("appointments", "appointment_booked", killedAt.AddSeconds(-2), faultEnd));
        var never = committed.Count(id => _observer.Publications(id) == 0);
        result.Expect("every contract committed around and during the outage is published", never == 0,
            $"{committed.Count - never}/{committed.Count} published" + Histogram(committed));
        result.Notes.Add($"events before the kill: #{before}; observer redeliveries after its own reconnection: {_observer.ObserverRedeliveries}");
    }

    // 3 ----------------------------------------------------------------------------------------------------------
    private async Task StopPostgres(ScenarioResult result)
    {
        await StartLoadAsync(3);
        var stoppedAt = DateTimeOffset.UtcNow;
        await _infra.StopPostgresAsync();
        await Task.Delay(TimeSpan.FromSeconds(30));
        await _infra.StartPostgresAsync();
        var restartedAt = DateTimeOffset.UtcNow;
        result.RecoverySeconds = await MeasureRecoveryAsync(3, restartedAt, result);
        await _load.StopAsync();
        // Every command acknowledged in the scenario, sent once more as a client that lost its answer would: the same
        // body with the same Idempotency-Key. Each must be answered from the stored answer (Idempotent-Replayed, the
        // same id); FinishAsync then finds each command in exactly one stream and once in every read model.
        var commands = _ledger.Of(3);
        var resent = await ResendAsync(commands.Where(c => c.Acknowledged && c.Build is not null).ToList());
        result.Expect("a command retried with its Idempotency-Key after the outage is answered from its stored answer, applied once",
            resent.Count > 0 && resent.All(r => r.Replayed && r.SameId),
            $"{resent.Count(r => r.Replayed && r.SameId)}/{resent.Count} acknowledged commands sent again answered as replays with the same id"
            + (resent.FirstOrDefault(r => !(r.Replayed && r.SameId)) is { Status: var st } bad && !(bad.Replayed && bad.SameId) ? $"; first other answer: {st}" : ""));
        await Task.Delay(TimeSpan.FromSeconds(3));
        await FinishAsync(result);

        // Every attempt that started during the outage, whenever it ended: an error is a 503 Problem Details, and
        // nothing (error or success, answered after the restart or not) took more than 5 s.
        var during = commands.SelectMany(c => c.Attempts).Where(a => a.At >= stoppedAt && a.At <= restartedAt).ToList();
        var errors = during.Where(a => a.Status is not (>= 200 and < 300)).ToList();
        var slow = during.Where(a => a.Seconds > 5).ToList();
        var not503 = errors.Where(a => a.Status != 503 || !a.ProblemJson).ToList();
        result.Expect("requests during the outage are answered 503 Problem Details", errors.Count > 0 && not503.Count == 0,
            $"{during.Count} attempts started during the outage: {Statuses(during)}" + (not503.Count > 0 ? "; not a 503 problem: " + string.Join("; ", not503.Take(3).Select(a => a.Error ?? a.Status.ToString())) : ""));
        result.Expect("… within 5 s, never hanging (every attempt started during the outage, answered before or after the restart)",
            slow.Count == 0 && during.Count > 0,
            during.Count == 0 ? "no attempt during the outage" : $"slowest {during.Max(a => a.Seconds):0.00} s, p50 {Percentile(during, 0.5):0.00} s; {slow.Count} over 5 s");
        var retried = commands.Where(c => c.Acknowledged && c.Attempts.Count > 1).ToList();
        var replayed = retried.Count(c => c.AcknowledgedByReplay);
        result.Notes.Add($"{retried.Count} commands acknowledged after failed attempts, {replayed} of them by replay (committed before the answer was lost)");
    }

    private sealed record Resent(int Status, bool Replayed, bool SameId);

    private async Task<List<Resent>> ResendAsync(IReadOnlyList<CommandRecord> commands)
    {
        using var gate = new SemaphoreSlim(8);
        var answers = await Task.WhenAll(commands.Select(async c =>
        {
            await gate.WaitAsync();
            try
            {
                using var request = c.Build!();
                var (status, body, response) = await _client.SendAsync(request, c.Login);
                using (response)
                {
                    Guid? id = body.Length > 0 && System.Text.Json.Nodes.JsonNode.Parse(body) is System.Text.Json.Nodes.JsonObject o && o["id"] is { } v
                        ? v.GetValue<Guid>() : null;
                    return new Resent((int)status, response.Headers.Contains("Idempotent-Replayed"), id is not null && id == c.CreatedId);
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        return [.. answers];
    }

    // 4 ----------------------------------------------------------------------------------------------------------
    private async Task ConsumerStopsBeforeAck(ScenarioResult result)
    {
        await StartLoadAsync(4);
        var redeliveredBefore = await RedeliveredAsync("consents-");
        // Consents keeps receiving deliveries and writing their effects, but nothing it sends reaches the broker:
        // every message it handles from now on is written and never acknowledged. Then its host dies.
        var link = _rabbit["Consents"];
        link.Partition(LinkState.UpstreamHeld);
        await Task.Delay(TimeSpan.FromSeconds(5));
        var written = await _checker.SnapshotAsync();
        await _services.KillAsync("Consents");
        // The broker sees the connection end: every unacknowledged delivery goes back to its queue.
        link.Heal();
        await Task.Delay(TimeSpan.FromSeconds(1));
        _services.Start("Consents");
        await _services.WaitReadyAsync("Consents", TimeSpan.FromSeconds(90));
        var faultEnd = DateTimeOffset.UtcNow;
        result.RecoverySeconds = await MeasureRecoveryAsync(4, faultEnd, result);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await FinishAsync(result);
        var redelivered = await RedeliveredAsync("consents-") - redeliveredBefore;
        result.Expect("messages written but not acknowledged were delivered again", redelivered > 0, $"{redelivered} redeliveries to Consents' queues");
        var after = await _checker.SnapshotAsync();
        var changed = written.Count(kv => kv.Key.StartsWith("consents.", StringComparison.Ordinal) && after.TryGetValue(kv.Key, out var v) && v != kv.Value);
        result.Expect("redeliveries changed nothing Consents had already written", changed == 0,
            $"{written.Count(kv => kv.Key.StartsWith("consents.", StringComparison.Ordinal))} documents written before the kill, {changed} rewritten");
        result.EffectDuplicates += changed;
    }

    // 5 ----------------------------------------------------------------------------------------------------------
    private async Task PoisonMessage(ScenarioResult result)
    {
        const string queue = "consents-referral-involvement";
        var person = _world.PoisonPerson;
        // The cause: Consents' database refuses this one person's involvement (as a corrupt row or a constraint
        // broken by bad data would). Every other message keeps flowing.
        await Sql($"""
            create or replace function consents.faults_poison() returns trigger language plpgsql as $$
            begin
              if new.data->>'personId' = '{person}' then raise exception 'faults: poison for person %', new.data->>'personId'; end if;
              return new;
            end $$;
            drop trigger if exists faults_poison on consents.mt_doc_involvementrecord;
            create trigger faults_poison before insert or update on consents.mt_doc_involvementrecord
              for each row execute function consents.faults_poison();
            """);
        try
        {
            await StartLoadAsync(5);
            var poison = await _load.Referral(5, person);
            result.Expect("the poison command itself is acknowledged (its own service is fine)", poison.Acknowledged, $"{poison.FinalStatus}");
            var watch = Stopwatch.StartNew();
            await _checker.EventuallyAsync(async () => await ErrorQueues.CountAsync(_settings.Amqp, queue + ErrorQueues.Suffix) == 1,
                TimeSpan.FromSeconds(60), "the poison message in " + queue + "_error");
            var landedAt = DateTimeOffset.UtcNow;
            var parked = await ErrorQueues.PeekAsync(_settings.Amqp, queue + ErrorQueues.Suffix);
            result.Expect("the poison message lands in _error after the configured retries (100, 500, 2000 ms), and only it",
                parked.Count == 1 && parked[0].Contains(person.ToString(), StringComparison.Ordinal) && watch.Elapsed > TimeSpan.FromSeconds(2.5),
                $"{parked.Count} message(s) in {queue}_error after {watch.Elapsed.TotalSeconds:0.0} s");

            // While it is parked, later messages reach Consents.
            await Task.Delay(TimeSpan.FromSeconds(8));
            var later = _ledger.Of(5).Where(c => c.Acknowledged && c.AnsweredAt > landedAt && c != poison).ToList();
            await _checker.EventuallyAsync(async () => await _checker.NotYetEverywhereAsync(later) == 0, TimeSpan.FromSeconds(30), "later messages everywhere");
            result.Expect("other messages keep flowing while the poison is parked", later.Count > 0, $"{later.Count} later commands reached every read model");

            // The fix, then the re-drive.
            await Sql(DropPoison);
            var moved = await ErrorQueues.RedriveAsync(_settings.Amqp, queue);
            var faultEnd = DateTimeOffset.UtcNow;
            result.RecoverySeconds = await MeasureRecoveryAsync(5, faultEnd, result);
            await Task.Delay(TimeSpan.FromSeconds(3));
            await FinishAsync(result);
            var keys = Checker.Downstream(poison, poison.CreatedId!.Value).Where(e => e.Table.StartsWith("consents.", StringComparison.Ordinal)).ToList();
            var present = await _checker.PresentAsync(keys);
            var rows = await _checker.ScalarAsync<long>("select count(*) from consents.mt_doc_involvementrecord where data->>'itemId' = @id",
                ("id", poison.CreatedId!.Value.ToString()));
            result.Expect("re-driven after the fix, the poison message is applied once", moved == 1 && present.Count == keys.Count && rows == keys.Count,
                $"{moved} moved back; {rows} involvement records for the referral in Consents (expected {keys.Count})");
    
        }
        finally
        {
            // Whatever happened, the next scenarios run without the poison.
            await Sql(DropPoison);
        }
    }

    private const string DropPoison = "drop trigger if exists faults_poison on consents.mt_doc_involvementrecord; drop function if exists consents.faults_poison();";

    // 6 ----------------------------------------------------------------------------------------------------------
    private async Task ConcurrentCommands(ScenarioResult result)
    {
        await StartLoadAsync(6);
        const int streams = 10, racers = 8;
        var created = await Task.WhenAll(Enumerable.Range(0, streams).Select(i => _load.Referral(6, _world.Persons[i])));
        var referrals = created.Where(c => c.Acknowledged).ToList();
        var versionWinners = new List<int>();
        var losers = new List<int>();
        await Task.WhenAll(referrals.Select(async r =>
        {
            foreach (var (action, version) in new[] { ("review", 1L), ("accept", 2L) })
            {
                var race = await Task.WhenAll(Enumerable.Range(0, racers).Select(_ => _load.Transition(6, r.CreatedId!.Value, r.PersonId, action, version)));
                lock (versionWinners)
                {
                    versionWinners.Add(race.Count(c => c.Acknowledged));
                    losers.AddRange(race.Where(c => !c.Acknowledged).Select(c => c.FinalStatus ?? 0));
                }
            }
        }));
        var ids = referrals.Select(r => r.CreatedId!.Value).ToArray();
        var events = await _checker.PairsAsync("""
            select stream_id::text, count(*) filter (where type in ('referral_review_started', 'referral_accepted'))
            from referrals.mt_events where stream_id = any(@ids) group by stream_id
            """, ("ids", ids));
        var versions = await _checker.PairsAsync("select id::text, version from referrals.mt_streams where id = any(@ids)", ("ids", ids));
        var exactlyOne = versionWinners.Count(w => w == 1);
        result.Expect("exactly one transition wins per version", exactlyOne == versionWinners.Count && versionWinners.Count == 2 * streams,
            $"{exactlyOne}/{versionWinners.Count} races had one winner");
        result.Expect("the others get 412 (stale If-Match) or 409", losers.All(s => s is 412 or 409) && losers.Count == versionWinners.Count * (racers - 1),
            $"losers: {string.Join(", ", losers.GroupBy(s => s).Select(g => $"{g.Key} ×{g.Count()}"))}");
        result.Expect("each stream holds exactly one event per version won", events.All(e => e.Item2 == "2") && versions.All(v => v.Item2 == "3") && events.Count == streams,
            $"{events.Count(e => e.Item2 == "2")}/{streams} streams with one review and one acceptance, at version 3");

        // One seat, six bookers at once: one booking, five 409 slot-full.
        var seats = _world.SingleSeats.Take(streams).ToList();
        var seatRaces = await Task.WhenAll(seats.Select(slot =>
            Task.WhenAll(Enumerable.Range(0, 6).Select(i => _load.Booking(6, _world.Persons[10 + i], slot)))));
        var seatWinners = seatRaces.Count(r => r.Count(c => c.Acknowledged) == 1);
        var seatLosers = seatRaces.SelectMany(r => r.Where(c => !c.Acknowledged)).ToList();
        result.Expect("exactly one booking wins a single seat; the others get 409 slot-full",
            seatWinners == seats.Count && seatLosers.All(c => c.FinalStatus == 409 && c.FinalCode == "slot-full"),
            $"{seatWinners}/{seats.Count} seats with one winner; losers {Statuses(seatLosers.SelectMany(c => c.Attempts))}");
        var booked = await _checker.ScalarAsync<long>(
            "select count(*) from appointments.mt_events where type = 'appointment_booked' and (data->>'slotId')::uuid = any(@ids)", ("ids", seats.ToArray()));
        result.Expect("one booking per single seat in the event store", booked == seats.Count, $"{booked} bookings for {seats.Count} seats");

        var faultEnd = DateTimeOffset.UtcNow;
        result.RecoverySeconds = await MeasureRecoveryAsync(6, faultEnd, result);
        await FinishAsync(result);
        result.Extra = new Verdict
        {
            Sent = versionWinners.Count * racers, Acknowledged = versionWinners.Sum(), Found = events.Sum(e => int.Parse(e.Item2, System.Globalization.CultureInfo.InvariantCulture)),
            Duplicated = versionWinners.Count(w => w > 1),
        };
        result.Extra.Lost = result.Extra.Acknowledged - result.Extra.Found;
    }

    // 7 ----------------------------------------------------------------------------------------------------------
    private async Task EveryMessageTwice(ScenarioResult result)
    {
        var queues = (await _infra.QueuesAsync()).Where(q => q.IsConsumerQueue).Select(q => q.Name).ToList();
        await using var duplicator = new Duplicator(_settings.Amqp);
        await duplicator.StartAsync(queues);
        await StartLoadAsync(7);
        await Task.Delay(TimeSpan.FromSeconds(30));
        await duplicator.StopAsync();
        var faultEnd = DateTimeOffset.UtcNow;
        result.Notes.Add($"{duplicator.Duplicated} messages delivered a second time, at once, to {queues.Count} consumer queues");
        result.RecoverySeconds = await MeasureRecoveryAsync(7, faultEnd, result);
        await FinishAsync(result);

        // Then a late delivery of all of them, once every first delivery is applied: the read models must not move.
        var before = await _checker.SnapshotAsync();
        var eventsBefore = await _checker.EventCountsAsync();
        var replayed = await duplicator.ReplayAllAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        var quiet = await WaitQuietAsync(TimeSpan.FromSeconds(60));
        var after = await _checker.SnapshotAsync();
        var eventsAfter = await _checker.EventCountsAsync();
        var changed = before.Count(kv => !after.TryGetValue(kv.Key, out var v) || v != kv.Value);
        var added = after.Keys.Count(k => !before.ContainsKey(k));
        var appended = eventsAfter.Sum(kv => kv.Value - eventsBefore[kv.Key]);
        result.Expect("read models unchanged by another delivery of every message", quiet.Length == 0 && changed == 0 && added == 0 && appended == 0,
            $"{replayed} messages delivered again: {changed} of {before.Count} documents rewritten, {added} added, {appended} events appended");
        var errors = await ErrorQueueCountsAsync();
        result.Expect("no redelivery ends in _error", errors.Values.Sum() == 0, errors.Count == 0 ? "none" : Describe(errors));
        result.EffectDuplicates += changed + added;
    }

    // 8 ----------------------------------------------------------------------------------------------------------
    private async Task BrokenNetwork(ScenarioResult result)
    {
        var links = new[] { _postgres["Referrals"], _rabbit["Referrals"] };
        await StartLoadAsync(8);
        Console.WriteLine("  200 ms latency each way for 20 s");
        foreach (var l in links) l.Latency = TimeSpan.FromMilliseconds(200);
        await Task.Delay(TimeSpan.FromSeconds(20));
        foreach (var l in links) l.Latency = TimeSpan.Zero;
        Console.WriteLine("  every connection reset every 2 s for 20 s");
        var resets = 0;
        for (var i = 0; i < 10; i++)
        {
            resets += links.Sum(l => l.ResetAll());
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        Console.WriteLine("  a 60 s partition");
        var cutAt = DateTimeOffset.UtcNow;
        foreach (var l in links) l.Partition();
        await Task.Delay(TimeSpan.FromSeconds(60));
        foreach (var l in links) l.Heal();
        var faultEnd = DateTimeOffset.UtcNow;
        result.Notes.Add($"{resets} connections reset during the reset phase; partition healed after 60 s");
        var duringCut = _ledger.Of(8).Where(c => c.Kind == CommandKind.Referral).SelectMany(c => c.Attempts)
            .Where(a => a.At >= cutAt && a.At <= faultEnd).ToList();
        result.Notes.Add($"Referrals' answers during the partition: {Statuses(duringCut)}; slowest {(duringCut.Count > 0 ? duringCut.Max(a => a.Seconds) : 0):0.0} s");
        result.RecoverySeconds = await MeasureRecoveryAsync(8, faultEnd, result);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await FinishAsync(result);
    }

    // 9 ----------------------------------------------------------------------------------------------------------
    private async Task KillDuringRebuild(ScenarioResult result)
    {
        await StartLoadAsync(9);
        // The rebuild of the outbox: rewinding its subscription republishes Referrals' whole history (the designed
        // back-fill of a new consumer, ADR 0002). Rewound with the service stopped, so that it starts replaying.
        await _services.StopAsync("Referrals");
        var before = await _checker.SnapshotAsync();
        var rewindAt = DateTimeOffset.UtcNow;
        var history = _observer.PublishedBefore("Referrals.Contracts:", rewindAt);
        var hwm = await _checker.MaxSequenceAsync("referrals");
        // Deleting the progress row is the rewind (Marten starts a subscription without one from the beginning); a row set
        // to 0 is not: Marten takes 0 for "no row yet" and its insert of the progress then collides with the row forever.
        await Sql("delete from referrals.mt_event_progression where name like 'contract-publisher%'");
        var link = _rabbit["Referrals"];
        link.Latency = TimeSpan.FromMilliseconds(40); // slow enough to kill it in the middle
        _services.Start("Referrals");
        var watch = Stopwatch.StartNew();
        long progress = 0;
        var replayed = 0;
        while (watch.Elapsed < TimeSpan.FromSeconds(90))
        {
            replayed = history.Count(id => _observer.PublicationsSince(id, rewindAt) > 0);
            progress = await _checker.PublisherProgressAsync("referrals");
            // Past at least one saved checkpoint (the publisher saves one per page of 500 events) and before the end:
            // the restart must then resume from that checkpoint, not from the beginning.
            if (progress > 0 && progress < hwm) break;
            await Task.Delay(20);
        }
        await _services.KillAsync("Referrals");
        var checkpoint = await _checker.PublisherProgressAsync("referrals");
        result.Expect("killed in the middle of the replay, after a checkpoint was saved", checkpoint > 0 && checkpoint < hwm && replayed < history.Count,
            $"{replayed}/{history.Count} replayed, checkpoint #{checkpoint} of #{hwm} at the kill");
        var beforeCheckpoint = (await _checker.PairsAsync("select id::text, seq_id from referrals.mt_events where seq_id <= @to",
            ("to", checkpoint))).Select(r => Guid.Parse(r.Item1)).ToHashSet();
        link.Latency = TimeSpan.Zero;
        _services.Start("Referrals");
        await _services.WaitReadyAsync("Referrals", TimeSpan.FromSeconds(90));
        var faultEnd = DateTimeOffset.UtcNow;
        result.RecoverySeconds = await MeasureRecoveryAsync(9, faultEnd, result);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await FinishAsync(result);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var skipped = history.Count(id => _observer.PublicationsSince(id, rewindAt) == 0);
        var repeated = history.Count(id => _observer.PublicationsSince(id, rewindAt) > 1);
        result.Expect("the replay resumes without skipping an event", skipped == 0, $"{history.Count - skipped}/{history.Count} of the history republished");
        // Resuming means starting from the saved checkpoint: what the replay published up to it before the kill is not
        // published again after the restart (once since the rewind, not twice).
        var again = history.Count(id => beforeCheckpoint.Contains(id) && _observer.PublicationsSince(id, rewindAt) > 1);
        var behind = history.Count(id => beforeCheckpoint.Contains(id));
        result.Expect("the restarted replay resumes from its checkpoint: no event at or before it is published again", again == 0 && behind > 0,
            $"{again} of the {behind} events up to #{checkpoint} published more than once since the rewind");
        result.Notes.Add($"{repeated} events published twice by the replay (after the checkpoint: the page in flight at the kill, at-least-once; "
            + "the consumers' documents show no effect repeated)");
        var after = await _checker.SnapshotAsync();
        var changed = before.Count(kv => after.TryGetValue(kv.Key, out var v) && v != kv.Value);
        result.Expect("… and without repeating any effect: no document the consumers had written changes", changed == 0,
            $"{changed} of {before.Count} documents rewritten");
        result.EffectDuplicates += changed;
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private async Task Sql(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_settings.Database());
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<List<Guid>> EventIds(string schema, string type, DateTimeOffset from, DateTimeOffset to) =>
        (await _checker.PairsAsync($"select id::text, seq_id from {schema}.mt_events where type = @type and timestamp >= @from and timestamp <= @to",
            ("type", type), ("from", from), ("to", to))).Select(r => Guid.Parse(r.Item1)).ToList();

    private async Task<long> RedeliveredAsync(string prefix) =>
        (await _infra.QueuesAsync()).Where(q => q.Name.StartsWith(prefix, StringComparison.Ordinal)).Sum(q => q.MessageStats?.Redeliver ?? 0);

    private string Histogram(IEnumerable<Guid> ids)
    {
        var h = ids.GroupBy(_observer.Publications).OrderBy(g => g.Key).Select(g => $"{g.Count()} ×{g.Key}");
        return " (publications per event: " + string.Join(", ", h) + ")";
    }

    private static double Percentile(IReadOnlyList<Attempt> attempts, double p)
    {
        var sorted = attempts.Select(a => a.Seconds).Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
    }
}
