using Marten.Events.Aggregation;

namespace Identity.Api.Accounts;

// A login: a professional (body and role follow their Directory membership), an administrator, or a person.

public sealed record AccountCreated(Guid AccountId, string Login, string DisplayName, string? PasswordHash, string Role,
    Guid? BodyId, Guid? PersonId, string CreatedBy);

public sealed record MembershipAttached(Guid AccountId, Guid MemberId, Guid BodyId, string Role, DateOnly From);

public sealed record MembershipEnded(Guid AccountId, Guid MemberId, DateOnly On);

public sealed record PasswordSet(Guid AccountId, string PasswordHash);

public sealed record AccountDisabled(Guid AccountId, string Reason)
{
    /// <summary>The person was erased (GDPR art. 17): their login is gone with the rest.</summary>
    public const string Erased = "person_erased";
}

/// <summary>The account as tokens and login need it. <see cref="Login"/> is stored lower-cased and unique.</summary>
public sealed record Account(Guid Id, string Login, string DisplayName, string? PasswordHash, string Role, Guid? BodyId,
    Guid? MemberId, Guid? PersonId, bool Disabled)
{
    public long Version { get; init; }

    public string Subject => Id.ToString();

    /// <summary>A professional whose membership ended keeps the login but no body and no role.</summary>
    public bool CanSignIn => !Disabled && !string.IsNullOrEmpty(PasswordHash);
}

public sealed class AccountProjection : SingleStreamProjection<Account, Guid>
{
    public static Account Create(AccountCreated e) =>
        new(e.AccountId, e.Login, e.DisplayName, e.PasswordHash, e.Role, e.BodyId, null, e.PersonId, false);

    public static Account Apply(MembershipAttached e, Account a) => a with { BodyId = e.BodyId, Role = e.Role, MemberId = e.MemberId };

    public static Account Apply(MembershipEnded e, Account a) =>
        a.MemberId == e.MemberId ? a with { BodyId = null, Role = "", MemberId = null } : a;

    public static Account Apply(PasswordSet e, Account a) => a with { PasswordHash = e.PasswordHash };

    public static Account Apply(AccountDisabled e, Account a) => a with { Disabled = true };
}

public static class Logins
{
    /// <summary>Logins compare case-insensitively; an email's case carries no meaning.</summary>
    public static string Normalize(string login) => login.Trim().ToLowerInvariant();

    /// <summary>What an erased person's login becomes: unique (the index), and no one can choose it (the form refuses parentheses).</summary>
    public static string Erased(Guid accountId) => $"(erased)-{accountId:N}";
}
