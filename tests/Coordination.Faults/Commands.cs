using System.Collections.Concurrent;

namespace Coordination.Faults;

public enum CommandKind
{
    /// <summary>POST /referrals on Referrals (social-worker@demo, CCAS → CAF); the token is the referral's reason.</summary>
    Referral,
    /// <summary>POST /appointments on Appointments (adviser@demo, France services books a CAF slot); the token is the booking's note.</summary>
    Booking,
    /// <summary>A transition on an existing referral with If-Match (scenario 6).</summary>
    Transition,
}

public enum Outcome
{
    Pending,
    /// <summary>A 2xx answer: the system promised the write.</summary>
    Acknowledged,
    /// <summary>A definite refusal (4xx): the system promised nothing was written.</summary>
    Refused,
    /// <summary>Only transient failures until the client's patience ran out: the write may or may not exist.</summary>
    Unknown,
}

/// <summary>One HTTP attempt of a command: when, how long, and what came back.</summary>
public sealed record Attempt(DateTimeOffset At, double Seconds, int? Status, string? Error, bool ProblemJson, bool Replayed);

/// <summary>
/// A command as the client saw it. The token (a unique text carried in the command's body) finds the command's
/// writes in the event store whatever answer the client got, or none: that is how the suite counts lost and
/// duplicated writes independently of the answers.
/// </summary>
public sealed class CommandRecord
{
    public required int Scenario { get; init; }
    public required CommandKind Kind { get; init; }
    public required string Token { get; init; }
    public required string IdempotencyKey { get; init; }
    public required Guid PersonId { get; init; }
    public Guid? SlotId { get; init; }
    public Guid? TargetId { get; init; }
    public string? Action { get; init; }
    public required DateTimeOffset SentAt { get; init; }
    public ConcurrentQueue<Attempt> Attempts { get; } = new();
    public Outcome Outcome { get; set; }
    public int? FinalStatus { get; set; }
    public string? FinalCode { get; set; }
    public Guid? CreatedId { get; set; }
    public DateTimeOffset? AnsweredAt { get; set; }

    /// <summary>The first 2xx came as an Idempotency-Key replay: an earlier attempt committed but its answer was lost.</summary>
    public bool AcknowledgedByReplay { get; set; }

    public bool Acknowledged => Outcome == Outcome.Acknowledged;

    /// <summary>Who sent it and how to send it again, the same body with the same Idempotency-Key.</summary>
    public string? Login { get; set; }

    public Func<HttpRequestMessage>? Build { get; set; }
}

/// <summary>Every command the suite sent, in the order sent.</summary>
public sealed class Ledger
{
    private readonly ConcurrentQueue<CommandRecord> _all = new();

    public void Add(CommandRecord c) => _all.Enqueue(c);

    public IReadOnlyList<CommandRecord> Of(int scenario) => _all.Where(c => c.Scenario == scenario).ToList();

    public IReadOnlyList<CommandRecord> All => _all.ToList();
}
