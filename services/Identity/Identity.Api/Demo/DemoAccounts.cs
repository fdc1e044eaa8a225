using Coordination.ServiceDefaults.Demo;
using Identity.Api.Accounts;
using Identity.Api.Accounts.Attaching;
using JasperFx;
using JasperFx.Events;
using Marten;
using Marten.Exceptions;
using Npgsql;

namespace Identity.Api.Demo;

/// <summary>
/// One demo login per role (password "demo"), where Demo:Seed is true. Until Directory publishes the demo
/// memberships, the seed sets body and role on the professional logins directly.
/// </summary>
public sealed class DemoAccounts(IDocumentStore store, ILogger<DemoAccounts> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // On a new database Directory's demo memberships can reach Identity while this seed runs: the membership
        // consumer then creates the same login (invited) between the seed's lookup and its commit, and the unique
        // login refuses the seed's. Looking again settles it: the login exists and only lacks its password.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var (created, completed) = await SeedAsync(store, DemoData.Logins, cancellationToken);
                if (created + completed > 0) logger.LogInformation("Seeded {Created} demo accounts, set the demo password on {Completed} invited ones", created, completed);
                return;
            }
            catch (Exception x) when (attempt < 3 && IsConcurrentSeed(x))
            {
                logger.LogInformation("A demo login was created meanwhile (by the membership consumer or another node); looking again");
            }
        }
    }

    /// <summary>
    /// Creates each demo login that does not exist, and gives the demo password to one that exists without a
    /// password: Directory's demo members are the same people, and a membership that arrives first creates their
    /// login as an invitation (no password), which would leave the documented demo logins refused.
    /// </summary>
    public static async Task<(int Created, int Completed)> SeedAsync(IDocumentStore store, IEnumerable<DemoData.DemoLogin> logins, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var hash = Passwords.Hash(DemoData.Password);
        int created = 0, completed = 0;
        foreach (var login in logins)
        {
            var normalized = Logins.Normalize(login.Login);
            var account = await session.Query<Account>().FirstOrDefaultAsync(a => a.Login == normalized, ct);
            if (account is null)
            {
                var id = Guid.CreateVersion7();
                session.Events.StartStream<Account>(id,
                    new AccountCreated(id, normalized, login.DisplayName, hash, login.Role, login.BodyId, login.PersonId, "demo-seed"));
                created++;
            }
            else if (string.IsNullOrEmpty(account.PasswordHash) && !account.Disabled)
            {
                session.Events.Append(account.Id, new PasswordSet(account.Id, hash));
                completed++;
            }
        }
        await session.SaveChangesAsync(ct);
        return (created, completed);
    }

    private static bool IsConcurrentSeed(Exception x) =>
        x is DocumentAlreadyExistsException or Marten.Exceptions.ExistingStreamIdCollisionException or JasperFx.Events.ExistingStreamIdCollisionException
            or EventStreamUnexpectedMaxEventIdException
        || x is MartenCommandException { InnerException: PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } }
        || x.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
