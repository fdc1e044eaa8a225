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
        options.Schema.For<Account>().UniqueIndex(UniqueIndexType.Computed, a => a.Login).Index(a => a.PersonId);
        options.Schema.For<Activating.ActivationCode>().Index(a => a.CodeSha256);
        options.Schema.For<Inviting.PasswordSetup>();
        options.Schema.For<SecretAttempt>().Index(a => a.Key);
    }
}
