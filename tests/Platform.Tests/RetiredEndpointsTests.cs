using Appointments.Api;
using Consents.Api;
using Coordination.ServiceDefaults.Messaging;
using Coordination.Testing;
using Directory.Api;
using Identity.Api;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Referrals.Api;
using Xunit;

namespace Platform.Tests;

/// <summary>
/// The topology step deletes the endpoints a service retired (their queues stay bound to the contracts' exchanges and
/// would fill for ever), and only those: a retired name that is still a live endpoint would lose its messages.
/// </summary>
public sealed class RetiredEndpointsTests(AllServicesFixture fixture) : IClassFixture<AllServicesFixture>
{
    private static readonly string[] Retired =
    [
        .. AppointmentsApi.Service.RetiredEndpoints, .. ConsentsApi.Service.RetiredEndpoints, .. DirectoryApi.Service.RetiredEndpoints,
        .. IdentityApi.Service.RetiredEndpoints, .. ReferralsApi.Service.RetiredEndpoints,
    ];

    [Fact]
    public async Task NoRetiredEndpoint_IsAnEndpointOfARunningService()
    {
        var queues = await fixture.Vhost.QueueNames();

        Assert.Contains("appointments-referral-copy", queues);
        Assert.Contains("appointments-referral-involvement", Retired);
        Assert.Empty(queues.Intersect(Retired));
    }

    [Fact]
    public async Task ARetiredEndpoint_LosesItsQueueAndExchange_AndTheOthersStay()
    {
        await using var vhost = await TestVhost.CreateAsync(await TestInfrastructure.GetAsync());
        var factory = new ConnectionFactory { Uri = vhost.AmqpUri };
        await using var connection = await factory.CreateConnectionAsync();
        await using (var channel = await connection.CreateChannelAsync())
        {
            // As MassTransit lays an endpoint out: the contract's exchange, bound to the endpoint's exchange, bound to its queue.
            await channel.ExchangeDeclareAsync("Referrals.Contracts:ReferralSent", ExchangeType.Fanout, durable: true);
            foreach (var endpoint in new[] { "appointments-referral-involvement", "appointments-referral-copy" })
            {
                await channel.ExchangeDeclareAsync(endpoint, ExchangeType.Fanout, durable: true);
                await channel.ExchangeBindAsync(endpoint, "Referrals.Contracts:ReferralSent", "");
                await channel.QueueDeclareAsync(endpoint, durable: true, exclusive: false, autoDelete: false);
                await channel.QueueBindAsync(endpoint, endpoint, "");
            }
        }

        await RetiredEndpoints.DeleteAsync(vhost.AmqpUri, ["appointments-referral-involvement"], CancellationToken.None);
        // A second run of the step (every start of the system runs it) finds nothing to delete and succeeds.
        await RetiredEndpoints.DeleteAsync(vhost.AmqpUri, ["appointments-referral-involvement"], CancellationToken.None);

        Assert.False(await Exists(connection, c => c.QueueDeclarePassiveAsync("appointments-referral-involvement")));
        Assert.False(await Exists(connection, c => c.ExchangeDeclarePassiveAsync("appointments-referral-involvement")));
        Assert.True(await Exists(connection, c => c.QueueDeclarePassiveAsync("appointments-referral-copy")));
        Assert.True(await Exists(connection, c => c.ExchangeDeclarePassiveAsync("appointments-referral-copy")));
    }

    private static async Task<bool> Exists(IConnection connection, Func<IChannel, Task> declarePassive)
    {
        // A passive declaration of what is not there closes the channel with 404: one channel per probe.
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            await declarePassive(channel);
            return true;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return false;
        }
    }
}
