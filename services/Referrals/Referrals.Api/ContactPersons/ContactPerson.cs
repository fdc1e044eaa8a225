using System.Security.Cryptography;
using System.Text;
using Referrals.Api.Referrals;

namespace Referrals.Api.ContactPersons;

// The contact person (référent) of one body for one person: one stream per person and body, whose id is
// derived from both, so that the body's designations of that person are one resource with one ETag.

public sealed record ContactPersonDesignated(Guid PersonId, Guid BodyId, Guid MemberId, string MemberDisplayName, Actor By, DateTimeOffset At);

/// <summary><see cref="By"/> is null when Referrals ended it itself (the member left the body).</summary>
public sealed record ContactPersonEnded(Guid PersonId, Guid BodyId, Guid MemberId, ContactPersonEndReason Reason, Actor? By, DateTimeOffset At);

public sealed record ContactPerson(Guid Id, Guid PersonId, Guid BodyId, Guid? CurrentMemberId)
{
    public static ContactPerson Create(ContactPersonDesignated e) => new(ContactPersonIds.Of(e.PersonId, e.BodyId), e.PersonId, e.BodyId, e.MemberId);

    public ContactPerson Apply(ContactPersonDesignated e) => this with { CurrentMemberId = e.MemberId };

    public ContactPerson Apply(ContactPersonEnded e) => CurrentMemberId == e.MemberId ? this with { CurrentMemberId = null } : this;
}

public static class ContactPersonIds
{
    /// <summary>A name-based id (RFC 9562 version 8, from SHA-256) for the person × body pair.</summary>
    public static Guid Of(Guid personId, Guid bodyId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"coordination/referrals/contact-person/{personId:N}/{bodyId:N}"), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}

public sealed record DesignateContactPerson(Guid PersonId, Guid BodyId, Guid MemberId, string MemberDisplayName, ContactPersonEndReason EndReason,
    Actor By, DateTimeOffset At);

/// <summary>
/// A new designation ends the current one with the reason given (the history stays); designating the current
/// contact person again changes nothing; a member leaving the body ends theirs with member_left.
/// </summary>
public static class ContactPersonDecider
{
    public static Decided Designate(ContactPerson? current, DesignateContactPerson c)
    {
        if (current?.CurrentMemberId == c.MemberId) return Decided.Accept();
        var designated = new ContactPersonDesignated(c.PersonId, c.BodyId, c.MemberId, c.MemberDisplayName, c.By, c.At);
        return current?.CurrentMemberId is { } previous
            ? Decided.Accept(new ContactPersonEnded(c.PersonId, c.BodyId, previous, c.EndReason, c.By, c.At), designated)
            : Decided.Accept(designated);
    }

    public static Decided OnMemberLeft(ContactPerson current, Guid memberId, DateTimeOffset at) =>
        current.CurrentMemberId == memberId
            ? Decided.Accept(new ContactPersonEnded(current.PersonId, current.BodyId, memberId, ContactPersonEndReason.MemberLeft, null, at))
            : Decided.Accept();
}
