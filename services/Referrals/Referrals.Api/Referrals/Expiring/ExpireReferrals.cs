using JasperFx;
using JasperFx.Events;
using Coordination.ServiceDefaults.Hosting;
using Marten;
using Referrals.Api.Referrals.GettingDetails;

namespace Referrals.Api.Referrals.Expiring;

public static class ExpireReferralDecider
{
    /// <summary>A referral still sent or in review expires at the end of its due day (not when the job noticed it).</summary>
    public static Decided Decide(Referral r, DateTimeOffset now)
    {
        if (!r.Status.IsOpen()) return Refusal.IllegalTransition(r.Status, "expired");
        var at = Deadline.ExpiresAt(r.DueBy);
        if (now < at) return new Refusal("not-due", "The referral's due date has not passed", $"It expires at {at:O}.", r.Status);
        return Decided.Accept(new ReferralExpired(r.Id, r.PersonId, r.ToBodyId, r.DueBy, at));
    }
}

/// <summary>
/// Expires the referrals still sent or in review whose due date has passed, then sleeps on the injected
/// clock until the next one is due (at most <see cref="DeadlineJob.LongestSleep"/>, so referrals sent meanwhile are seen).
/// Several nodes may run it: each expiry is appended at the version it was decided on, so one of them wins.
/// </summary>
public sealed class ReferralExpiryJob(IDocumentStore store, TimeProvider time, ILogger<ReferralExpiryJob> logger) : DeadlineJob(time, logger)
{
    private const int Batch = 200;

    protected override string Work => "Expiring referrals";

    public override Task<DateTimeOffset?> RunDueAsync(CancellationToken ct) => ExpireDueAsync(ct);

    /// <summary>Expires what is due and returns when the next open referral runs out, if any.</summary>
    public async Task<DateTimeOffset?> ExpireDueAsync(CancellationToken ct)
    {
        while (true)
        {
            var now = Time.GetUtcNow();
            IReadOnlyList<Guid> due;
            await using (var query = store.QuerySession())
            {
                due = await query.Query<ReferralDetails>().Where(r => r.Open && r.ExpiresAt <= now)
                    .OrderBy(r => r.ExpiresAt).Select(r => r.Id).Take(Batch).ToListAsync(ct);
                if (due.Count == 0)
                {
                    var upcoming = await query.Query<ReferralDetails>().Where(r => r.Open && r.ExpiresAt > now)
                        .OrderBy(r => r.ExpiresAt).Select(r => r.ExpiresAt).Take(1).ToListAsync(ct);
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

    private async Task<bool> ExpireAsync(Guid referralId, DateTimeOffset now, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForWriting<Referral>(referralId, ct);
        if (stream.Aggregate is null) return false;
        var decided = ExpireReferralDecider.Decide(stream.Aggregate, now);
        if (decided.Refused) return false;
        stream.AppendMany(decided.Events);
        await ReferralInvolvement.WriteAsync(session, decided.Events, ct);
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (Exception e) when (e is ConcurrencyException or EventStreamUnexpectedMaxEventIdException)
        {
            // Answered, withdrawn or expired by another node in the meantime.
            return false;
        }
        Logger.LogInformation("Referral {ReferralId} expired", referralId);
        return true;
    }
}
