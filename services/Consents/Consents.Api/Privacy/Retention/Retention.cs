namespace Consents.Api.Privacy.Retention;

/// <summary>
/// The retention limits (CNIL, social services): a person with no active grant and no activity for
/// <see cref="InactivityMonths"/> is erased; access-log entries older than <see cref="AccessLogMonths"/> are dropped.
/// Configured under <c>Privacy:Retention</c>.
/// </summary>
public sealed class RetentionOptions
{
    public const string Section = "Privacy:Retention";

    public int InactivityMonths { get; set; } = 24;

    public int AccessLogMonths { get; set; } = 12;

    /// <summary>How often the job runs; the first run is at start.</summary>
    public TimeSpan Every { get; set; } = TimeSpan.FromHours(24);

    /// <summary>At most this many persons are erased per run, so one run stays short; the next run takes the rest.</summary>
    public int BatchSize { get; set; } = 200;
}

/// <summary>
/// The dated facts Consents holds that show a person's file is alive (docs/adr/0072). Each is optional: a person has
/// at least their registration.
/// </summary>
/// <param name="PersonStreamLast">The last event of the person's own stream: registration, an activation code issued.</param>
/// <param name="LedgerLast">The last grant recorded or revoked, companion chosen or removed (an expiry is the clock, not activity).</param>
/// <param name="LoginActivated">When the person turned their code into a login.</param>
/// <param name="InvolvementLast">The last referral sent, redirected, declined or expired, appointment booked, contact person designated or ended.</param>
/// <param name="ReadLast">The last read of their data that was granted (by the person, a companion, a body under consent); refused attempts do not count.</param>
/// <param name="ElsewhereLast">The last referral reviewed, accepted, closed or withdrawn, accompaniment logged, appointment moved, cancelled, attended or missed (<see cref="ActivityElsewhere"/>).</param>
public sealed record PersonActivity(Guid PersonId, DateTimeOffset Registered, DateTimeOffset? PersonStreamLast, DateTimeOffset? LedgerLast,
    DateTimeOffset? LoginActivated, DateTimeOffset? InvolvementLast, DateTimeOffset? ReadLast, bool HasActiveGrant,
    DateTimeOffset? ElsewhereLast = null)
{
    public DateTimeOffset LastActivity => new[] { Registered, PersonStreamLast, LedgerLast, LoginActivated, InvolvementLast, ReadLast, ElsewhereLast }
        .Where(d => d is not null).Max(d => d!.Value);
}

public static class RetentionRules
{
    /// <summary>Pure: erase when nothing is shared any more and nothing has happened for the whole window.</summary>
    public static bool IsDue(PersonActivity activity, DateTimeOffset now, int inactivityMonths) =>
        !activity.HasActiveGrant && activity.LastActivity <= now.AddMonths(-inactivityMonths);

    public static DateTimeOffset AccessLogCutoff(DateTimeOffset now, int accessLogMonths) => now.AddMonths(-accessLogMonths);
}
