namespace Directory.Api;

/// <summary>What a decider answers: the events to append, or the conflict that refuses the command (409).</summary>
public sealed record Decision(IReadOnlyList<object> Events, string? ConflictCode = null, string? ConflictTitle = null)
{
    public bool Refused => ConflictCode is not null;

    public static Decision Accept(params object[] events) => new(events);

    public static Decision Refuse(string code, string title) => new([], code, title);
}
