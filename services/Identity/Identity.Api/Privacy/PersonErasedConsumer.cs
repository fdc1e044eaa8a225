using Consents.Contracts;
using Identity.Api.Accounts;
using Identity.Api.Accounts.Activating;
using Marten;
using MassTransit;
using OpenIddict.Abstractions;

namespace Identity.Api.Privacy;

/// <summary>
/// An erased person loses their login: the account is disabled (no sign-in, no token, no refresh — the token endpoint
/// checks it), the login they chose and their password are masked in its events and document, their activation code is
/// deleted, and every token and authorization issued to them is deleted from OpenIddict's store. Each step gives the
/// same result when run again: a second PersonErased changes nothing.
/// </summary>
public sealed class PersonErasedConsumer(IDocumentSession session, IOpenIddictTokenManager tokens, IOpenIddictAuthorizationManager authorizations,
    ILogger<PersonErasedConsumer> logger) : IConsumer<PersonErased>
{
    public async Task Consume(ConsumeContext<PersonErased> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        var accounts = await session.Query<Account>().Where(a => a.PersonId == m.PersonId).ToListAsync(ct);
        foreach (var account in accounts.Where(a => !a.Disabled))
        {
            session.Events.Append(account.Id, new AccountDisabled(account.Id, AccountDisabled.Erased));
        }
        session.Delete<ActivationCode>(m.PersonId);
        await session.SaveChangesAsync(ct);

        var store = session.DocumentStore;
        if (accounts.Count > 0)
        {
            await store.Advanced.ApplyEventDataMasking(masking =>
            {
                foreach (var account in accounts) masking.IncludeStream(account.Id);
            }, ct);
        }
        foreach (var account in accounts)
        {
            await store.Advanced.RebuildSingleStreamAsync<Account>(account.Id, ct);
            await ForgetTokensAsync(account.Subject, ct);
        }
        logger.LogInformation("Person {PersonId} erased in Identity: {Accounts} login(s) disabled and masked", m.PersonId, accounts.Count);
    }

    /// <summary>Deleted, not only revoked: a stored token or authorization names the subject and may hold its claims.</summary>
    private async Task ForgetTokensAsync(string subject, CancellationToken ct)
    {
        var issued = new List<object>();
        await foreach (var token in tokens.FindBySubjectAsync(subject, ct)) issued.Add(token);
        foreach (var token in issued) await tokens.DeleteAsync(token, ct);
        var granted = new List<object>();
        await foreach (var authorization in authorizations.FindBySubjectAsync(subject, ct)) granted.Add(authorization);
        foreach (var authorization in granted) await authorizations.DeleteAsync(authorization, ct);
    }
}
