using Coordination.ServiceDefaults.Messaging;
using Coordination.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Platform.Tests;

/// <summary>Identity, Directory (the publisher, with a switchable broker fault) and Referrals (a consumer).</summary>
public sealed class PipelineFixture() : CoordinationFixture(Services.Identity | Services.Directory | Services.Referrals)
{
    public FaultySender DirectorySender { get; } = new();

    protected override void ConfigureServices(string service, IServiceCollection collection)
    {
        if (service != "directory") return;
        // The real MassTransit sender, wrapped so a test can make the broker call fail and then recover.
        collection.RemoveAll<IContractSender>();
        collection.AddSingleton<MassTransitContractSender>();
        collection.AddSingleton<IContractSender>(sp =>
        {
            DirectorySender.Inner = sp.GetRequiredService<MassTransitContractSender>();
            return DirectorySender;
        });
    }
}

public sealed class FaultySender : IContractSender
{
    private int _failuresSeen;

    public IContractSender Inner { get; set; } = null!;

    private volatile bool _failing;

    public bool Failing
    {
        get => _failing;
        set => _failing = value;
    }

    public int FailuresSeen => _failuresSeen;

    public Task SendAsync(object contract, Guid messageId, CancellationToken cancellationToken)
    {
        if (Failing)
        {
            Interlocked.Increment(ref _failuresSeen);
            throw new InvalidOperationException("Injected broker failure");
        }
        return Inner.SendAsync(contract, messageId, cancellationToken);
    }
}
