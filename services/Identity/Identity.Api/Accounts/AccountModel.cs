using JasperFx.Events.Projections;
using Marten;
using Marten.Schema;

namespace Identity.Api.Accounts;

public static class AccountModel
{
    public static void Configure(StoreOptions options)
    {
        options.Events.AddEventType<AccountCreated>();
        options.Events.AddEventType<MembershipAttached>();
        options.Events.AddEventType<MembershipEnded>();
        options.Events.AddEventType<PasswordSet>();
        options.Events.AddEventType<AccountDisabled>();
        options.Projections.Add<AccountProjection>(ProjectionLifecycle.Inline);
        // Erasure of a person: the login they chose and their password go; the account's id, role, person id and dates
        // stay (the access log and the ledger name subjects by id). Professionals' accounts are never masked.
        options.Events.AddMaskingRuleForProtectedInformation<AccountCreated>(e => e.PersonId is null ? e : e with
        {
            Login = Logins.Erased(e.AccountId),
            DisplayName = "(erased)",
            PasswordHash = null,
        });
        options.Events.AddMaskingRuleForProtectedInformation<PasswordSet>(e => e with { PasswordHash = "" });
        options.Schema.For<Account>().UniqueIndex(UniqueIndexType.Computed, a => a.Login).Index(a => a.PersonId);
        options.Schema.For<Activating.ActivationCode>().Index(a => a.CodeSha256);
        options.Schema.For<Inviting.PasswordSetup>();
        options.Schema.For<SecretAttempt>().Index(a => a.Key);
    }
}
