using Coordination.ServiceDefaults.Demo;
using Directory.Api.Bodies;
using Directory.Api.Bodies.Registering;
using Directory.Api.Formats;
using Directory.Api.Members;
using Directory.Api.Members.Joining;
using JasperFx;
using Marten;

namespace Directory.Api.Demo;

/// <summary>
/// Registers the demo bodies (fixed ids) and the memberships of the professional demo logins, once, where
/// Demo:Seed is true (Development only). Both go through the rules and deciders the API uses, so the
/// outbox publishes BodyRegistered and MemberJoined and Identity attaches body and role to the logins.
/// A membership has a fixed id per login: a demo member removed by hand is not brought back.
/// </summary>
public sealed class DemoSeed(IDocumentStore store, TimeProvider time, ILogger<DemoSeed> logger) : IHostedService
{
    public const string By = "demo-seed";

    public static Guid MemberIdOf(string login) => StableIds.From("demo/member/" + login);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        var seeded = 0;
        foreach (var body in DemoData.Bodies)
        {
            if (await session.Events.FetchStreamStateAsync(body.Id, cancellationToken) is not null) continue;
            var request = new RegisterBodyRequest(body.Name, body.Kind,
                new AddressRequest(null, body.PostalCode, body.CommuneInsee, body.Commune), body.Territory);
            var errors = BodyRules.Validate(request);
            if (errors.Count > 0) throw new InvalidOperationException($"Demo body {body.Name} breaks the rules: {string.Join(", ", errors.Keys)}");
            session.Events.StartStream<Body>(body.Id, RegisterBodyDecider.Decide(new RegisterBody(body.Id, BodyRules.ToProfile(request), By)));
            seeded++;
        }

        foreach (var login in DemoData.Logins.Where(l => l.BodyId is not null))
        {
            var memberId = MemberIdOf(login.Login);
            if (await session.Events.FetchStreamStateAsync(memberId, cancellationToken) is not null) continue;
            var request = new AddMemberRequest(login.Login, login.DisplayName, login.Role);
            var errors = AddMemberDecider.Validate(request);
            if (errors.Count > 0) throw new InvalidOperationException($"Demo member {login.Login} breaks the rules: {string.Join(", ", errors.Keys)}");
            var command = AddMemberDecider.Command(memberId, login.BodyId!.Value, request, time.Today(), By);
            var decision = AddMemberDecider.Decide(command, await session.LoadAsync<ActiveMembership>(command.Email, cancellationToken));
            if (decision.Refused) continue;
            AddMemberDecider.Append(session, command, decision);
            seeded++;
        }

        if (seeded == 0) return;
        try
        {
            await session.SaveChangesAsync(cancellationToken);
            logger.LogInformation("Seeded {Count} demo bodies and memberships", seeded);
        }
        catch (Exception e) when (e is Marten.Exceptions.ExistingStreamIdCollisionException or JasperFx.Events.ExistingStreamIdCollisionException
                                      or DocumentAlreadyExistsException)
        {
            logger.LogInformation("Demo bodies and memberships were seeded by another node");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class DemoSeedSetup
{
    public static void AddDemoSeed(this WebApplicationBuilder builder)
    {
        if (builder.Configuration.GetValue<bool>("Demo:Seed")) builder.Services.AddHostedService<DemoSeed>();
    }
}
