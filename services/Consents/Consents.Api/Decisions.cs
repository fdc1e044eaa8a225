using Coordination.ServiceDefaults.Http;

namespace Consents.Api;

/// <summary>A refused transition: a 409 whose body carries the code and, under <c>current</c>, the current state.</summary>
public sealed record Refusal(string Code, string Title, string Detail, IReadOnlyDictionary<string, object?> State)
{
    public IResult ToProblem() => Problems.Conflict(Code, Title, Detail, new Dictionary<string, object?> { ["current"] = State });
}

/// <summary>What a pure Decide function returns: the event to append, or why not.</summary>
public readonly record struct Decided<T>(T? Event, Refusal? Refusal) where T : class
{
    public static implicit operator Decided<T>(T @event) => new(@event, null);

    public static implicit operator Decided<T>(Refusal refusal) => new(null, refusal);
}
