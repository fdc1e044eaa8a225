using Coordination.ServiceDefaults.Http;

namespace Referrals.Api;

/// <summary>
/// Why a command was refused (409). <see cref="CurrentStatus"/> is the state that made a transition illegal,
/// given to the client as <c>currentStatus</c> (Problem Details reserves <c>status</c> for the HTTP code).
/// </summary>
public sealed record Refusal(string Code, string Title, string Detail, ReferralStatus? CurrentStatus = null)
{
    public IResult ToProblem() => Problems.Conflict(Code, Title, Detail,
        CurrentStatus is { } status ? new Dictionary<string, object?> { ["currentStatus"] = status.Code() } : null);

    public static Refusal IllegalTransition(ReferralStatus current, string action) =>
        new("illegal-transition", "This transition is not allowed from the referral's current status",
            $"A referral that is {current.Code()} cannot be {action}.", current);

    public static readonly Refusal ConsentRequired = new("consent-required",
        "The person has not consented to this body receiving their orientation",
        "The receiving body needs an active grant of the person including 'orientation' for the purpose follow_up_coordination.");
}

/// <summary>What a pure Decide function answers: the events to append, or the refusal.</summary>
public sealed record Decided(IReadOnlyList<object> Events, Refusal? Refusal = null)
{
    public bool Refused => Refusal is not null;

    public static Decided Accept(params object[] events) => new(events);

    public static implicit operator Decided(Refusal refusal) => new([], refusal);
}
