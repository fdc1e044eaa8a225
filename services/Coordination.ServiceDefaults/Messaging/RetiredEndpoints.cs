using Microsoft.Extensions.Configuration;
using RabbitMQ.Client;

namespace Coordination.ServiceDefaults.Messaging;

/// <summary>
/// Deletes the receive endpoints a service no longer has (<see cref="ServiceInfo.RetiredEndpoints"/>), during the
/// topology step: MassTransit declares what a service consumes but never removes what it stopped consuming.
/// </summary>
public static class RetiredEndpoints
{
    public static async Task DeleteAsync(IConfiguration configuration, ServiceInfo service, CancellationToken ct)
    {
        if (service.RetiredEndpoints.Count == 0) return;
        var rabbit = configuration.GetConnectionString("RabbitMq")
            ?? throw new InvalidOperationException("ConnectionStrings:RabbitMq is not configured.");
        await DeleteAsync(new Uri(rabbit), service.RetiredEndpoints, ct);
    }

    public static async Task DeleteAsync(Uri rabbit, IEnumerable<string> endpoints, CancellationToken ct)
    {
        var factory = new ConnectionFactory { Uri = rabbit, ClientProvidedName = "topology: retired endpoints" };
        await using var connection = await factory.CreateConnectionAsync(ct);
        foreach (var name in endpoints)
        {
            // One channel per deletion: a refusal closes its channel. Deleting what is not there (a fresh broker, a
            // second run of the step) succeeds. The endpoint's _error queue, unbound, is left for whoever re-drives it.
            await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
            await channel.QueueDeleteAsync(name, ifUnused: false, ifEmpty: false, cancellationToken: ct);
            await channel.ExchangeDeleteAsync(name, ifUnused: false, cancellationToken: ct);
        }
    }
}
