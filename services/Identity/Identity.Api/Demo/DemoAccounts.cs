using Coordination.ServiceDefaults.Demo;
using Identity.Api.Accounts;
using Identity.Api.Accounts.Attaching;
using Marten;

namespace Identity.Api.Demo;

/// <summary>
/// One demo login per role (password "demo"), where Demo:Seed is true. Until Directory publishes the demo
/// memberships, the seed sets body and role on the professional logins directly.
/// </summary>
public sealed class DemoAccounts(IDocumentStore store, ILogger<DemoAccounts> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        var hash = Passwords.Hash(DemoData.Password);
        var created = 0;
        foreach (var login in DemoData.Logins)
        {
            var normalized = Logins.Normalize(login.Login);
            if (await session.Query<Account>().AnyAsync(a => a.Login == normalized, cancellationToken)) continue;
            var id = Guid.CreateVersion7();
            session.Events.StartStream<Account>(id,
                new AccountCreated(id, normalized, login.DisplayName, hash, login.Role, login.BodyId, login.PersonId, "demo-seed"));
            created++;
        }
        try
        {
            await session.SaveChangesAsync(cancellationToken);
        }
        catch (JasperFx.DocumentAlreadyExistsException)
        {
            logger.LogInformation("Demo accounts were seeded by another node");
            return;
        }
        if (created > 0) logger.LogInformation("Seeded {Count} demo accounts", created);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
