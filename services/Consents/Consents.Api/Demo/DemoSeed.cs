using Consents.Api.Access;
using Consents.Api.Consents.Granting;
using Consents.Api.Persons.Activating;
using Consents.Api.Persons.Registering;
using Coordination.Secrecy;
using Coordination.ServiceDefaults.Demo;
using Coordination.ServiceDefaults.Security;
using Marten;

namespace Consents.Api.Demo;

/// <summary>
/// Registers the demo person (fixed id <see cref="DemoData.Person"/>, the person_id of person@demo) at the CCAS
/// de Narbonne with a 12-month follow-up consent to the CCAS, once, where Demo:Seed is true (Development only).
/// It goes through the registration's own Decide and Append, like a request would.
/// </summary>
public sealed class DemoSeed(IDocumentStore store, TimeProvider time, ILogger<DemoSeed> logger) : IHostedService
{
    public const string GivenName = "Camille";
    public const string FamilyName = "Durand";
    public static readonly DateOnly BirthDate = new(1984, 5, 14);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        if (await session.Events.FetchStreamStateAsync(DemoData.Person, cancellationToken) is not null) return;

        var now = time.GetUtcNow();
        var by = new Actor("demo-seed", Roles.SocialWorker, "Sophie Martin (CCAS)", DemoData.CcasNarbonne);
        var grant = new GrantConsent(Guid.CreateVersion7(), DemoData.Person, DemoData.CcasNarbonne, [.. Categories.All],
            Purposes.FollowUpCoordination, now, now.AddMonths(12), ConsentGiver.Person, ConsentCollection.InPerson, by);
        var events = RegisterPersonDecider.Decide(new RegisterPerson(DemoData.Person, GivenName, FamilyName, BirthDate, null, null,
            ConsentCollection.InPerson, ConsentGiver.Person, null, [grant], ActivationCodes.New(), DemoData.CcasNarbonne, by, now));
        await RegisterPersonDecider.AppendAsync(session, events, cancellationToken);
        try
        {
            await session.SaveChangesAsync(cancellationToken);
            logger.LogInformation("Seeded demo person {PersonId}", DemoData.Person);
        }
        catch (Exception e) when (e is Marten.Exceptions.ExistingStreamIdCollisionException or JasperFx.Events.ExistingStreamIdCollisionException)
        {
            logger.LogInformation("The demo person was seeded by another node");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
