namespace Directory.Api.Members;

// A membership: a professional in a body, with a role, from a date until they leave. Directory is the only
// source of a professional's body and role; Identity puts them in tokens from MemberJoined and MemberLeft.

public sealed record MemberJoined(Guid MemberId, Guid BodyId, string Email, string DisplayName, string Role, DateOnly From,
    string? Phone, string AddedBy);

public sealed record MemberLeft(Guid MemberId, Guid BodyId, string Email, DateOnly On, string RemovedBy);

public sealed record Member(Guid Id, Guid BodyId, string Email, string DisplayName, string Role, DateOnly From, DateOnly? Until)
{
    public bool Active => Until is null;

    public static Member Create(MemberJoined e) => new(e.MemberId, e.BodyId, e.Email, e.DisplayName, e.Role, e.From, null);

    public Member Apply(MemberLeft e) => this with { Until = e.On };
}

/// <summary>
/// The one active membership of a professional, keyed by their lower-cased email and written in the same
/// transaction as MemberJoined (deleted with MemberLeft): its primary key is what makes a second active
/// membership impossible, even for two requests racing each other.
/// </summary>
public sealed record ActiveMembership(string Id, Guid MemberId, Guid BodyId);
