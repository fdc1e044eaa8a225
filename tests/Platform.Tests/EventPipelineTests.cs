using System.Net;
using System.Net.Http.Json;
using Coordination.ServiceDefaults.Messaging;
using Coordination.Testing;
using Directory.Contracts;
using JasperFx.Events.Daemon;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Coordination.Secrecy.Gate.Copies;
using Xunit;

namespace Platform.Tests;

/// <summary>
/// The event pipeline end to end on real infrastructure: Directory appends, its outbox subscription
/// publishes with confirms, Referrals consumes into its own read model.
/// </summary>
public sealed class EventPipelineTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    // Cross-service delivery: seconds normally, at most the held-hole cap (45 s, ADR 0008) plus margin.
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(60);

    private async Task<Guid> RegisterBody(string name)
    {
        using var client = await fixture.AdminClient(fixture.Directory);
        var response = await client.PostAsJsonAsync("bodies", new { name, kind = "ccas-cias", address = new { communeInsee = "11262" } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<IdBody>();
        Assert.Equal($"/bodies/{created!.Id}", response.Headers.Location!.ToString());
        return created.Id;
    }

    private async Task<BodyCopy?> ReferralsCopy(Guid id)
    {
        await using var session = fixture.Referrals.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.LoadAsync<BodyCopy>(id);
    }

    [Fact]
    public async Task RegisteredBody_ReachesReferralsCopy()
    {
        var id = await RegisterBody("CCAS de Narbonne");

        await CoordinationFixture.AssertEventually(async () => await ReferralsCopy(id) is not null, Delivery, "the body copy in Referrals");
        var copy = await ReferralsCopy(id);
        Assert.Equal("CCAS de Narbonne", copy!.Name);
        Assert.Equal("ccas-cias", copy.Kind);
        Assert.Equal("11262", copy.CommuneInsee);
        Assert.Equal(["11262"], copy.TerritoryCodes);
    }

    [Fact]
    public async Task SecondDelivery_LeavesExactlyOneCopy_Unwritten()
    {
        var bus = fixture.Directory.Services.GetRequiredService<IBus>();
        var message = new BodyRegistered(Guid.CreateVersion7(), "Mairie de Gruissan", "communes", "11170", ["11170"], false, DateTimeOffset.UtcNow);
        var messageId = Guid.CreateVersion7();
        var deliveries = new Deliveries(messageId);
        using var observing = fixture.Referrals.Services.GetRequiredService<IBus>().ConnectConsumeObserver(deliveries);

        await bus.Publish(message, c => c.MessageId = messageId);
        await CoordinationFixture.AssertEventually(async () => await ReferralsCopy(message.BodyId) is not null, Delivery, "the copy");
        var written = await CopyRow(message.BodyId);

        // The same message again (a redelivery): it must be consumed, and leave the copy as it was — not a second row,
        // not even the same row written again.
        await bus.Publish(message, c => c.MessageId = messageId);
        await CoordinationFixture.AssertEventually(() => Task.FromResult(deliveries.Count >= 2), Delivery, "the second delivery consumed");
        Assert.Equal(1, await fixture.Database.Scalar<long>(
            $"select count(*) from referrals.mt_doc_bodycopy where id = '{message.BodyId}'"));
        Assert.Equal(written, await CopyRow(message.BodyId));
        Assert.Equal("Mairie de Gruissan", (await ReferralsCopy(message.BodyId))!.Name);
    }

    /// <summary>The copy's version and write time: both change whenever the row is written.</summary>
    private async Task<string?> CopyRow(Guid id) => await fixture.Database.Scalar<string>(
        $"select mt_version::text || ' ' || mt_last_modified::text from referrals.mt_doc_bodycopy where id = '{id}'");

    /// <summary>
    /// Counts the deliveries of one message id that Referrals' consumers finished: receives per endpoint (a message
    /// bound to several endpoints would be received once by each), the most of any endpoint.
    /// </summary>
    private sealed class Deliveries(Guid messageId) : IConsumeObserver
    {
        private readonly Dictionary<Uri, HashSet<ReceiveContext>> _seen = [];

        public int Count
        {
            get { lock (_seen) return _seen.Values.Select(r => r.Count).DefaultIfEmpty(0).Max(); }
        }

        public Task PostConsume<T>(ConsumeContext<T> context) where T : class
        {
            if (context.MessageId == messageId)
            {
                lock (_seen)
                {
                    var address = context.ReceiveContext.InputAddress;
                    if (!_seen.TryGetValue(address, out var receives)) _seen[address] = receives = new(ReferenceEqualityComparer.Instance);
                    receives.Add(context.ReceiveContext);
                }
            }
            return Task.CompletedTask;
        }

        public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;
    }

    [Fact]
    public async Task OlderMessage_DoesNotOverwriteNewerCopy()
    {
        var bus = fixture.Directory.Services.GetRequiredService<IBus>();
        var id = Guid.CreateVersion7();
        var now = DateTimeOffset.UtcNow;
        await bus.Publish(new BodyUpdated(id, "Nouveau nom", "caf", null, ["11"], false, now));
        await CoordinationFixture.AssertEventually(async () => await ReferralsCopy(id) is not null, Delivery, "the copy");
        await bus.Publish(new BodyRegistered(id, "Ancien nom", "caf", null, ["11"], false, now.AddMinutes(-5)));
        await Task.Delay(1500);
        Assert.Equal("Nouveau nom", (await ReferralsCopy(id))!.Name);
    }

    [Fact]
    public async Task PublisherWhoseBrokerCallFails_HoldsItsPosition_ThenPublishes()
    {
        await CoordinationFixture.AssertEventually(async () => await PublisherProgress() >= await LastSequence(), Delivery, "the publisher catching up");
        fixture.DirectorySender.Failing = true;
        var failuresBefore = fixture.DirectorySender.FailuresSeen;
        Guid id;
        long progressBefore;
        try
        {
            progressBefore = await PublisherProgress();
            id = await RegisterBody("CIAS du Grand Narbonne");
            await CoordinationFixture.AssertEventually(() => Task.FromResult(fixture.DirectorySender.FailuresSeen >= failuresBefore + 3),
                Delivery, "three failed publish attempts");

            Assert.Equal(progressBefore, await PublisherProgress());
            Assert.Null(await ReferralsCopy(id));
        }
        finally
        {
            fixture.DirectorySender.Failing = false;
        }

        await CoordinationFixture.AssertEventually(async () => await ReferralsCopy(id) is not null, Delivery, "the copy after recovery");
        await CoordinationFixture.AssertEventually(async () => await PublisherProgress() > progressBefore, Delivery, "the subscription advancing");
    }

    [Fact]
    public async Task BackFillRewind_BeforeTheCoordinatorStartsTheDaemon_StillPublishes()
    {
        var coordinator = fixture.Directory.Services.GetRequiredService<IProjectionCoordinator>();
        var daemon = coordinator.DaemonForMainDatabase();
        // A node's state just after start-up, before the HotCold coordinator started the daemon: nothing runs.
        await coordinator.PauseAsync();
        try
        {
            Assert.False(daemon.IsRunning);
            await ContractPublisher.RewindAsync(daemon, await PublisherProgress(), CancellationToken.None);
        }
        finally
        {
            await coordinator.ResumeAsync();
        }

        var id = await RegisterBody("Secours populaire de Lézignan");
        await OutboxProgress.AssertDelivered(fixture.Directory, fixture.Database, async () => await ReferralsCopy(id) is not null,
            Delivery, "the copy of a body registered after the rewind");
        Assert.True(daemon.IsRunning);
    }

    private async Task<long> PublisherProgress() =>
        await fixture.Database.Scalar<long?>(
            $"select last_seq_id from directory.mt_event_progression where name like '{ContractPublisher.SubscriptionName}%'") ?? 0;

    private async Task<long> LastSequence() =>
        await fixture.Database.Scalar<long?>("select max(seq_id) from directory.mt_events") ?? 0;

    private sealed record IdBody(Guid Id);
}
