using System.Diagnostics;
using Consents.Api.Access;
using Consents.Api.AccessLog;
using Consents.Api.Companions.Listing;
using Consents.Api.Consents;
using Consents.Api.Consents.Listing;
using Consents.Api.Copies;
using Consents.Api.Persons.GettingDetails;
using Consents.Api.Privacy.Erasing;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using Coordination.Secrecy.Gate.Privacy;
using Marten;
using Microsoft.Extensions.Options;

namespace Consents.Api.Privacy.Retention;

/// <summary>What one run did: counts and duration, never who.</summary>
/// <param name="ReadsDropped">The recorded reads behind those entries (Consents' own <c>PersonDataRead</c> streams), dropped with them.</param>
public sealed record RetentionRun(int PersonsErased, int ErasuresCompleted, int AccessLogEntriesDropped, int ReadsDropped, TimeSpan Duration);

/// <summary>
/// Forgets on time (on the injected clock): completes any erasure a crash left half done, erases automatically the
/// persons with no active grant and no activity for the configured window (24 months), and drops access-log entries
/// older than theirs (12 months). Each run is logged and measured with counts and its duration — ids and counts only.
/// Several nodes may run it: an erasure happens once (its stream is keyed by the person), a drop twice drops nothing.
/// </summary>
public sealed class RetentionJob(IDocumentStore store, PersonEraser eraser, TimeProvider time, IOptions<RetentionOptions> options,
    PrivacyMetrics metrics, ILogger<RetentionJob> logger) : BackgroundService
{
    private RetentionOptions Options => options.Value;

    /// <summary>A timer cannot wait more than ~49 days: a longer period is waited for in steps, checking the clock each time.</summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromDays(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "The retention run failed; it runs again at the next period");
            }
            try
            {
                var next = time.GetUtcNow() + Options.Every;
                for (var left = Options.Every; left > TimeSpan.Zero; left = next - time.GetUtcNow())
                {
                    await Task.Delay(left < LongestWait ? left : LongestWait, time, stoppingToken);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async Task<RetentionRun> RunOnceAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var now = time.GetUtcNow();
        var completed = await CompleteErasuresAsync(now, ct);
        var erased = await EraseInactiveAsync(now, ct);
        var dropped = await DropOldAccessLogAsync(now, ct);
        var reads = await AccessTrail.DropBeforeAsync(store, RetentionRules.AccessLogCutoff(now, Options.AccessLogMonths), ct);
        var run = new RetentionRun(erased, completed, dropped, reads, Stopwatch.GetElapsedTime(started));
        metrics.Record(run);
        logger.LogInformation(
            "Retention run: {PersonsErased} persons erased after {InactivityMonths} months without activity, {ErasuresCompleted} erasures completed, " +
            "{AccessLogEntriesDropped} access-log entries and {ReadsDropped} recorded reads older than {AccessLogMonths} months dropped, in {DurationMs} ms",
            erased, Options.InactivityMonths, completed, dropped, reads, Options.AccessLogMonths, run.Duration.TotalMilliseconds);
        return run;
    }

    /// <summary>Erasures recorded but not masked to the end (a crash between the two steps) are masked now.</summary>
    private async Task<int> CompleteErasuresAsync(DateTimeOffset now, CancellationToken ct)
    {
        IReadOnlyList<Guid> pending;
        await using (var query = store.QuerySession())
        {
            pending = await query.Query<ErasedPerson>().Where(e => e.CompletedAt == null).Select(e => e.Id).Take(Options.BatchSize).ToListAsync(ct);
        }
        foreach (var personId in pending) await eraser.CompleteAsync(personId, ct);
        return pending.Count;
    }

    private async Task<int> EraseInactiveAsync(DateTimeOffset now, CancellationToken ct)
    {
        var cutoff = now.AddMonths(-Options.InactivityMonths);
        IReadOnlyList<Guid> candidates;
        await using (var query = store.QuerySession())
        {
            // Registered before the window: no one registered within it can have been inactive for all of it.
            candidates = await query.Query<PersonDetails>().Where(p => !p.Erased && p.RegisteredAt <= cutoff)
                .OrderBy(p => p.RegisteredAt).Select(p => p.Id).ToListAsync(ct);
        }
        var erased = 0;
        foreach (var personId in candidates)
        {
            if (erased == Options.BatchSize) break;
            PersonActivity? activity;
            await using (var query = store.QuerySession())
            {
                activity = await ActivityOfAsync(query, personId, now, ct);
            }
            if (activity is null || !RetentionRules.IsDue(activity, now, Options.InactivityMonths)) continue;

            await using var session = store.LightweightSession();
            var command = new ErasePerson(personId, ErasureRequester.Retention, null, Actor.System, now);
            if (await PersonEraser.RecordAsync(session, command, ct) is null) continue;
            try
            {
                await session.SaveChangesAsync(ct);
            }
            catch (Exception e) when (e is Marten.Exceptions.ExistingStreamIdCollisionException or JasperFx.Events.ExistingStreamIdCollisionException)
            {
                // Erased meanwhile (another node's run, or the person's own request): once is enough.
                continue;
            }
            await eraser.CompleteAsync(personId, ct);
            logger.LogInformation("Person {PersonId} erased: no active grant and no activity since {LastActivity:yyyy-MM-dd}", personId,
                activity.LastActivity);
            erased++;
        }
        return erased;
    }

    /// <summary>Everything Consents knows of the person's activity, in one round trip.</summary>
    public static async Task<PersonActivity?> ActivityOfAsync(IQuerySession session, Guid personId, DateTimeOffset now, CancellationToken ct)
    {
        var batch = session.CreateBatchQuery();
        var person = batch.Load<PersonDetails>(personId);
        var login = batch.Load<LoginCopy>(personId);
        var consents = batch.Query<ConsentDetails>().Where(c => c.PersonId == personId).ToList();
        var companions = batch.Query<CompanionDetails>().Where(c => c.PersonId == personId).ToList();
        var involvements = batch.Query<InvolvementRecord>().Where(i => i.PersonId == personId).ToList();
        var elsewhere = batch.Load<ActivityElsewhere>(personId);
        var reads = batch.Query<AccessLogEntry>().Where(e => e.PersonId == personId && e.Basis != Bases.Denied)
            .OrderByDescending(e => e.OccurredAt).Take(1).ToList();
        await batch.Execute(ct);
        if (await person is not { Erased: false } details) return null;
        var stream = await session.Events.FetchStreamStateAsync(personId, ct);

        var consentList = await consents;
        var companionList = await companions;
        var ledger = consentList.SelectMany(c => new[] { c.ValidFrom, c.RevokedAt ?? DateTimeOffset.MinValue })
            .Concat(companionList.SelectMany(c => new[] { c.ChosenAt, c.RemovedAt ?? DateTimeOffset.MinValue }))
            .DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        var involvementList = await involvements;
        var readList = await reads;
        return new PersonActivity(personId, details.RegisteredAt, stream?.LastTimestamp,
            ledger == DateTimeOffset.MinValue ? null : ledger,
            (await login)?.ActivatedAt,
            involvementList.Count == 0 ? null : involvementList.Max(i => i.AsOf),
            readList.Count == 0 ? null : readList[0].OccurredAt,
            consentList.Any(c => c.StatusAt(now) == ConsentStatus.Active),
            (await elsewhere)?.LastAt);
    }

    private async Task<int> DropOldAccessLogAsync(DateTimeOffset now, CancellationToken ct)
    {
        var cutoff = RetentionRules.AccessLogCutoff(now, Options.AccessLogMonths);
        await using var session = store.LightweightSession();
        var count = await session.Query<AccessLogEntry>().CountAsync(e => e.OccurredAt < cutoff, ct);
        if (count == 0) return 0;
        session.DeleteWhere<AccessLogEntry>(e => e.OccurredAt < cutoff);
        await session.SaveChangesAsync(ct);
        return count;
    }
}
