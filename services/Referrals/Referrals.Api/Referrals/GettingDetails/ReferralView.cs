using Coordination.Secrecy;
using Referrals.Api.Access;

namespace Referrals.Api.Referrals.GettingDetails;

/// <summary>A body by id, with its name as the local directory copy knows it.</summary>
public sealed record BodyRef(Guid Id, string? Name)
{
    public static BodyRef Of(Guid id, IReadOnlyDictionary<Guid, string> names) => new(id, names.GetValueOrDefault(id));
}

public sealed record ReferralStepView(ReferralStepKind Kind, DateTimeOffset At, Actor? By, string? Code, string? Note, Guid? RelatedId);

/// <summary>
/// A referral as one reader may see it. A full view holds the orientation (bodies, need, right, urgency,
/// dates, status, history) and, only when orientation_details is allowed, the reason and the notes. A stub
/// (<see cref="Stub"/> true) is what a body keeps of its own referral after a revocation or expiry: ids,
/// dates, status and its own actions, no name and no details, so that it can still close it.
/// </summary>
public sealed record ReferralView(Guid Id, Guid PersonId, bool Stub, ReferralStatus Status, BodyRef From, BodyRef To, DateTimeOffset SentAt,
    DateTimeOffset UpdatedAt, DateOnly DueBy, long Version, string? PersonName, string? Need, Guid? ServiceId, TargetRight? TargetRight,
    Urgency? Urgency, ClosingOutcome? Outcome, Guid? PreviousReferralId, Guid? NextReferralId, Actor? SentBy, bool DetailsShown, string? Reason,
    IReadOnlyList<ReferralStepView> History);

public static class ReferralViews
{
    /// <summary>The full view for a reader allowed to see the referral's orientation.</summary>
    public static ReferralView Full(ReferralDetails r, Sight sight, IReadOnlyDictionary<Guid, string> bodyNames, bool details, string? personName)
    {
        var seesNext = SeesNext(r, sight);
        var history = r.History.Where(s => SeesStep(r, s, sight)).Select(s => new ReferralStepView(s.Kind, s.At, s.By, s.Code,
            details ? s.Note : null, s.Kind == ReferralStepKind.Redirected && !seesNext ? null : s.RelatedId)).ToList();
        return new ReferralView(r.Id, r.PersonId, false, r.Status, BodyRef.Of(r.FromBodyId, bodyNames), BodyRef.Of(r.ToBodyId, bodyNames), r.SentAt,
            r.UpdatedAt, r.DueBy, r.Version, personName, r.Need, r.ServiceId, r.TargetRight, r.Urgency, r.Outcome, r.PreviousReferralId,
            seesNext ? r.NextReferralId : null, r.SentBy, details, details ? r.Reason : null, history);
    }

    /// <summary>The stub a party body keeps: its own actions only, without notes.</summary>
    public static ReferralView StubFor(ReferralDetails r, Guid ownBodyId, IReadOnlyDictionary<Guid, string> bodyNames)
    {
        var own = r.History.Where(s => s.By?.BodyId == ownBodyId)
            .Select(s => new ReferralStepView(s.Kind, s.At, s.By, s.Code, null, null)).ToList();
        return new ReferralView(r.Id, r.PersonId, true, r.Status, BodyRef.Of(r.FromBodyId, bodyNames), BodyRef.Of(r.ToBodyId, bodyNames), r.SentAt,
            r.UpdatedAt, r.DueBy, r.Version, null, null, null, null, null, null, null, null, null, false, null, own);
    }

    public static Item ItemOf(ReferralDetails r) => Item.Referral(r.Id, r.FromBodyId, r.ToBodyId);

    /// <summary>The next referral of a redirect is shown only to those who may see it (it may go to a sensitive body).</summary>
    private static bool SeesNext(ReferralDetails r, Sight sight) =>
        r.NextReferralId is { } next && r.NextToBodyId is { } to && sight.Of(Categories.Orientation, Item.Referral(next, r.ToBodyId, to)).Allowed;

    /// <summary>An appointment outcome at a sensitive body reaches only that body and the referral's two bodies.</summary>
    private static bool SeesStep(ReferralDetails r, ReferralStep step, Sight sight) =>
        step.RelatedBodyId is not { } body || !sight.IsSensitive(body) || sight.IsSelf
        || sight.Reader.BodyId == body || sight.Reader.BodyId == r.FromBodyId || sight.Reader.BodyId == r.ToBodyId;

    public static Guid[] BodiesOf(IEnumerable<ReferralDetails> referrals) =>
        referrals.SelectMany(r => new[] { r.FromBodyId, r.ToBodyId }).Distinct().ToArray();
}
