using Directory.Api.Bodies;

namespace Directory.Api.PartnerContacts;

/// <summary>
/// The designated partner contact (interlocuteur privilégié) of a body: who partners call when a situation
/// is stuck. A new designation ends the current one with the handover reason; a member leaving ends theirs
/// with <c>member_left</c>. The dated history follows from these events.
/// </summary>
public static class PartnerContactDecider
{
    public const string Handover = "handover";
    public const string Other = "other";
    public const string MemberLeft = "member_left";

    /// <summary>Reasons a client may give; <c>member_left</c> is Directory's own.</summary>
    public static readonly IReadOnlySet<string> GivenReasons = new HashSet<string>(StringComparer.Ordinal) { Handover, Other };

    public static Decision Designate(Body body, Guid memberId, string reason, string by)
    {
        if (body.PartnerContact == memberId) return Decision.Accept();
        var designated = new PartnerContactDesignated(body.Id, memberId, by);
        return body.PartnerContact is { } current
            ? Decision.Accept(new PartnerContactEnded(body.Id, current, reason, by), designated)
            : Decision.Accept(designated);
    }

    public static Decision OnMemberLeft(Body body, Guid memberId, string by) =>
        body.PartnerContact == memberId
            ? Decision.Accept(new PartnerContactEnded(body.Id, memberId, MemberLeft, by))
            : Decision.Accept();
}
