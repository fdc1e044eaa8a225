using System.Collections.Concurrent;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Demo;
using Coordination.ServiceDefaults.Messaging;
using Coordination.Testing;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Consents.Tests;

/// <summary>
/// Identity, Directory and Consents, started once for the whole project. Consents runs on a fake clock
/// (frozen at the start, moved only by the expiry tests, by a few minutes at most so tokens stay valid) and
/// its outbox is wrapped to record what it published.
/// </summary>
public sealed class ConsentsFixture() : CoordinationFixture(Services.Identity | Services.Directory | Services.Consents), IAsyncLifetime
{
    // Cross-service delivery: seconds normally, at most the held-hole cap (45 s, ADR 0008) plus margin.
    public static readonly TimeSpan Delivery = TimeSpan.FromSeconds(60);

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public RecordingSender Published { get; } = new();

    protected override void ConfigureServices(string service, IServiceCollection collection)
    {
        if (service != "consents") return;
        collection.RemoveAll<TimeProvider>();
        collection.AddSingleton<TimeProvider>(Clock);
        collection.RemoveAll<IContractSender>();
        collection.AddSingleton<MassTransitContractSender>();
        collection.AddSingleton<IContractSender>(sp =>
        {
            Published.Inner = sp.GetRequiredService<MassTransitContractSender>();
            return Published;
        });
    }

    async Task IAsyncLifetime.InitializeAsync()
    {
        // The base fixture rewinds every outbox once all queues exist; wait for the demo bodies to arrive.
        await InitializeAsync();
        await AssertEventually(async () =>
        {
            await using var session = Store.QuerySession();
            var bodies = await session.LoadManyAsync<BodyCopy>(DemoData.Bodies.Select(b => b.Id).ToArray());
            return bodies.Count == DemoData.Bodies.Length;
        }, TimeSpan.FromSeconds(60), "the demo bodies in Consents' copies");
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync();

    public IDocumentStore Store => Consents.Services.GetRequiredService<IDocumentStore>();

    public Task<HttpClient> As(string login) => UserClient(Consents, login);

    public Task<HttpClient> AsAdmin() => AdminClient(Consents);
}

/// <summary>The real outbox sender, recording every contract it was given.</summary>
public sealed class RecordingSender : IContractSender
{
    public IContractSender Inner { get; set; } = null!;

    public ConcurrentQueue<(object Contract, Guid MessageId)> Sent { get; } = new();

    public async Task SendAsync(object contract, Guid messageId, CancellationToken cancellationToken)
    {
        await Inner.SendAsync(contract, messageId, cancellationToken);
        Sent.Enqueue((contract, messageId));
    }

    public IEnumerable<T> OfType<T>() => Sent.Select(s => s.Contract).OfType<T>();
}

[CollectionDefinition(Name)]
public sealed class ConsentsCollection : ICollectionFixture<ConsentsFixture>
{
    public const string Name = "consents";
}
