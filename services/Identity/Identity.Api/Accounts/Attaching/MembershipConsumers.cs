using Coordination.ServiceDefaults.Messaging;
using Directory.Contracts;
using Identity.Api.Accounts.Inviting;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;

namespace Identity.Api.Accounts.Attaching;

/// <summary>
/// Directory is the only source of a professional's body and role: a membership attaches them to the login
/// with that email, or creates an invited login (no password yet) for a newcomer. Appends events, so it
/// relies on the inbox of <see cref="IdempotentConsumer{T}"/> to absorb redeliveries.
/// </summary>
public sealed class MemberJoinedConsumer(IDocumentSession session, TimeProvider time, IInvitationSender invitations,
    IConfiguration configuration, ILogger<MemberJoinedConsumer> logger)
    : IdempotentConsumer<MemberJoined>(session, time)
{
    private readonly TimeProvider _time = time;
    private (Guid AccountId, string Login, Uri Link)? _invitation;

    protected override async Task Handle(MemberJoined message, ConsumeContext<MemberJoined> context)
    {
        var login = Logins.Normalize(message.Email);
        var account = await Session.Query<Account>().FirstOrDefaultAsync(a => a.Login == login, context.CancellationToken);
        var accountId = account?.Id ?? Guid.CreateVersion7();
        if (account is null)
        {
            Session.Events.StartStream<Account>(accountId,
                new AccountCreated(accountId, login, message.DisplayName, null, "", null, null, "directory"));
            var publicBase = new Uri(configuration["Identity:Issuer"] ?? "http://127.0.0.1:5100/");
            var (_, link) = Invitations.Create(Session, accountId, publicBase, _time.GetUtcNow());
            _invitation = (accountId, login, link);
            logger.LogInformation("Invited account {AccountId} created for member {MemberId}", accountId, message.MemberId);
        }
        Session.Events.Append(accountId, new MembershipAttached(accountId, message.MemberId, message.BodyId, message.Role, message.From));
    }

    /// <summary>The link leaves only once the account and its link are committed.</summary>
    protected override async Task AfterCommit(ConsumeContext<MemberJoined> context)
    {
        if (_invitation is { } i) await invitations.SendAsync(i.AccountId, i.Login, i.Link, context.CancellationToken);
    }
}

/// <summary>On leaving, the login loses its body and role and every refresh token of it is revoked.</summary>
public sealed class MemberLeftConsumer(IDocumentSession session, TimeProvider time, IOpenIddictTokenManager tokens)
    : IdempotentConsumer<MemberLeft>(session, time)
{
    protected override async Task Handle(MemberLeft message, ConsumeContext<MemberLeft> context)
    {
        var login = Logins.Normalize(message.Email);
        var account = await Session.Query<Account>().FirstOrDefaultAsync(a => a.Login == login, context.CancellationToken);
        if (account is null || account.MemberId != message.MemberId) return;
        Session.Events.Append(account.Id, new MembershipEnded(account.Id, message.MemberId, message.On));
        // Access tokens live 5 minutes; refresh tokens would outlive the membership.
        await tokens.RevokeBySubjectAsync(account.Subject, context.CancellationToken);
    }
}

public static class Passwords
{
    private static readonly PasswordHasher<Account> Hasher = new();

    public static string Hash(string password) => Hasher.HashPassword(null!, password);

    public static bool Verify(string hash, string password) =>
        Hasher.VerifyHashedPassword(null!, hash, password) != PasswordVerificationResult.Failed;
}
