namespace Coordination.Secrecy.Gate.Privacy;

/// <summary>
/// What an erased value becomes (GDPR art. 17). Text a record cannot do without becomes <see cref="Text"/>, optional
/// text becomes null, a birth date becomes <see cref="Date"/>; ids, bodies, categories, purposes, codes and the dates
/// of events stay, so the ledger keeps its proof and the statistics their counts.
/// </summary>
public static class Erased
{
    public const string Text = "(erased)";

    public static readonly DateOnly Date = DateOnly.MinValue;

    /// <summary>The role of a person's own token: where an actor or a reader is the person, their name is theirs to erase.</summary>
    public const string PersonRole = Reader.PersonRole;
}

/// <summary>
/// The mark a service keeps of a person it erased: copies that arrive afterwards (a late or redelivered message) are
/// stored masked, and reads find no facts. <see cref="CompletedAt"/> is set once every event and document is masked;
/// until then the erasure is retried.
/// </summary>
public sealed record ErasedPerson(Guid Id, DateTimeOffset ErasedAt, DateTimeOffset? CompletedAt);
