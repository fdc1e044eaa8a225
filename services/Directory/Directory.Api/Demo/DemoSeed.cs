using Coordination.ServiceDefaults.Demo;
using Directory.Api.Bodies;
using Marten;

namespace Directory.Api.Demo;

/// <summary>Registers the demo bodies with their fixed ids, once, where Demo:Seed is true (Development only).</summary>
public sealed class DemoSeed(IDocumentStore store, ILogger<DemoSeed> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        foreach (var body in DemoData.Bodies)
        {
            if (await session.Events.FetchStreamStateAsync(body.Id, cancellationToken) is not null) continue;
            session.Events.StartStream<Body>(body.Id, new BodyRegistered(body.Id, body.Name, body.Kind,
                new Address(null, body.PostalCode, body.CommuneInsee, body.Commune), body.Territory, false, "demo-seed"));
        }
        try
        {
            await session.SaveChangesAsync(cancellationToken);
        }
        catch (Exception e) when (e is Marten.Exceptions.ExistingStreamIdCollisionException or JasperFx.Events.ExistingStreamIdCollisionException)
        {
            logger.LogInformation("Demo bodies were seeded by another node");
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
