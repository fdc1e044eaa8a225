using Consents.Api.Consents.Listing;
using JasperFx.Events;
using Coordination.ServiceDefaults.Hosting;
using Marten;

namespace Consents.Api.Consents.Expiring;

public static class ExpireConsentDecider
{
    /// <summary>An active grant whose end has come expires at that end (not when the job noticed it).</summary>
    public static ConsentExpired? Decide(Consent consent, DateTimeOffset now) =>
        consent.RevokedAt is null && consent.ExpiredAt is null && now >= consent.ValidUntil
            ? new ConsentExpired(consent.Id, consent.PersonId, consent.BodyId, consent.ValidUntil)
            : null;
}

/// <summary>
/// Wakes the expiry job when a grant was just recorded on this node, so an end sooner than the one it
/// sleeps towards is not missed. Other nodes' grants are picked up at the next regular look.
/// </summary>
public sealed class ExpirySignal
{
    private TaskCompletionSource _pulse = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Wake() => Interlocked.Exchange(ref _pulse, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Waits for the delay on the given clock, or for a wake-up, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan delay, TimeProvider time, CancellationToken ct)
    {
        var pulse = Volatile.Read(ref _pulse).Task;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sleep = Task.Delay(delay, time, cancel.Token);
        await Task.WhenAny(sleep, pulse);
        await cancel.CancelAsync();
        ct.ThrowIfCancellationRequested();
    }
}

/// <summary>
/// Appends ConsentExpired for every open grant whose <c>until</c> has come, then sleeps (on the injected
/// clock) until the next <c>until</c>, at most <see cref="DeadlineJob.LongestSleep"/>. Enforcement never waits for it:
/// a grant is inactive from its <c>until</c> whatever this job did. Several nodes may run it: each
/// expiry is appended at the stream's expected version, so only one of them records it.
/// </summary>
public sealed class ConsentExpiryJob(IDocumentStore store, TimeProvider time, ExpirySignal signal, ILogger<ConsentExpiryJob> logger)
    : DeadlineJob(time, logger)
{
    private const int Batch = 200;

    protected override string Work => "Expiring consents";

    public override Task<DateTimeOffset?> RunDueAsync(CancellationToken ct) => ExpireDueAsync(ct);

    /// <summary>A grant recorded on this node wakes the job, so an end sooner than the one it sleeps towards is not missed.</summary>
    protected override Task WaitAsync(TimeSpan delay, CancellationToken ct) => signal.WaitAsync(delay, Time, ct);

    /// <summary>Expires what is due and returns the next end to wait for, if any.</summary>
    public async Task<DateTimeOffset?> ExpireDueAsync(CancellationToken ct)
    {
        while (true)
        {
            // At the database's precision, so that "due" means the same in SQL and in Decide.
            var now = Instants.ToMicroseconds(Time.GetUtcNow());
            IReadOnlyList<Guid> due;
            await using (var query = store.QuerySession())
            {
                due = await query.Query<ConsentDetails>().Where(c => c.Open && c.ValidUntil <= now)
                    .OrderBy(c => c.ValidUntil).Select(c => c.Id).Take(Batch).ToListAsync(ct);
                if (due.Count == 0)
                {
                    var upcoming = await query.Query<ConsentDetails>().Where(c => c.Open && c.ValidUntil > now)
                        .OrderBy(c => c.ValidUntil).Select(c => c.ValidUntil).Take(1).ToListAsync(ct);
                    return upcoming.Count == 0 ? null : upcoming[0];
                }
            }
            var expired = 0;
            foreach (var id in due)
            {
                if (await ExpireAsync(id, now, ct)) expired++;
            }
            if (expired == 0) return now + TimeSpan.FromSeconds(5);
        }
    }

    private async Task<bool> ExpireAsync(Guid consentId, DateTimeOffset now, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForWriting<Consent>(consentId, ct);
        if (stream.Aggregate is null || ExpireConsentDecider.Decide(stream.Aggregate, now) is not { } expired) return false;
        stream.AppendOne(expired);
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (Exception e) when (e is JasperFx.ConcurrencyException or EventStreamUnexpectedMaxEventIdException)
        {
            // Revoked, or expired by another node, in the meantime.
            return false;
        }
        Logger.LogInformation("Consent {ConsentId} of person {PersonId} expired", expired.ConsentId, expired.PersonId);
        return true;
    }
}
