using Marten;

namespace Identity.Api.Accounts;

/// <summary>One try at a guessable secret (an activation code, a set-password link), for throttling.</summary>
public sealed record SecretAttempt(Guid Id, string Key, DateTimeOffset At);

/// <summary>
/// At most N tries per window per key (per client address and per code). Counted in PostgreSQL so every
/// node of Identity sees the same tries.
/// </summary>
public sealed class Throttle(IConfiguration configuration, TimeProvider time)
{
    /// <summary>Tries per window for one code or link.</summary>
    public int PerSecret => configuration.GetValue<int?>("Identity:TriesPerSecret") ?? 5;

    /// <summary>Tries per window from one client address (several people may share a France services desk: same limit by default).</summary>
    public int PerAddress => configuration.GetValue<int?>("Identity:TriesPerAddress") ?? 5;

    public TimeSpan Window => configuration.GetValue<TimeSpan?>("Identity:ActivationWindow") ?? TimeSpan.FromMinutes(15);

    /// <summary>Records a try for the address and the secret; false when either was already at its limit.</summary>
    public async Task<bool> TryAsync(IDocumentSession session, string address, string secret, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var since = now - Window;
        var allowed = true;
        foreach (var (key, limit) in new[] { ("ip:" + address, PerAddress), ("secret:" + secret, PerSecret) })
        {
            var tries = await session.Query<SecretAttempt>().CountAsync(a => a.Key == key && a.At > since, ct);
            if (tries >= limit) allowed = false;
            session.Insert(new SecretAttempt(Guid.CreateVersion7(), key, now));
        }
        var purgeBefore = now - Window - Window;
        session.DeleteWhere<SecretAttempt>(a => a.At < purgeBefore);
        await session.SaveChangesAsync(ct);
        return allowed;
    }
}
