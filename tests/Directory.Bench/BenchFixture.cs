using Coordination.ServiceDefaults.Messaging;
using Coordination.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Directory.Bench;

/// <summary>
/// Identity and Directory on a fresh database, as the tests run them, with two differences: imports may be
/// large, and the outbox publishes to nowhere, so that 60 000 events going to RabbitMQ do not share the two
/// cores with the measurement.
/// </summary>
public sealed class BenchFixture() : CoordinationFixture(Services.Identity | Services.Directory)
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings(string service) =>
        service == "directory"
            ? [new("Http:MaxRequestBodyBytes", (64 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture)), new("Demo:Seed", "false")]
            : [];

    protected override void ConfigureServices(string service, IServiceCollection collection)
    {
        if (service != "directory") return;
        collection.RemoveAll<IContractSender>();
        collection.AddSingleton<IContractSender, NowhereSender>();
    }

    private sealed class NowhereSender : IContractSender
    {
        public Task SendAsync(object contract, Guid messageId, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
