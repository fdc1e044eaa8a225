using System.Reflection;
using MassTransit;
using Coordination.ServiceDefaults.Http;
using Coordination.ServiceDefaults.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Coordination.ServiceDefaults.Messaging;

public static class MessagingSetup
{
    public const string DeployTopologyOnlyKey = "Messaging:DeployTopologyOnly";

    /// <summary>Retries of a message whose consumer failed for another reason than a database outage, in ms.</summary>
    public static readonly int[] PoisonRetryIntervals = [100, 500, 2000];

    /// <summary>Retries of a message while the database is unreachable: 1, 2, 4, 8, then every 15 s — about 5 minutes.</summary>
    public const int OutageRetryLimit = 24;

    /// <summary>
    /// MassTransit on RabbitMQ (never an in-memory transport): the service's consumers, queues prefixed with
    /// the service name so that two services never share a queue, retries at this one layer, poison messages
    /// to <c>_error</c> queues. With <c>Messaging:DeployTopologyOnly</c> the bus declares every queue, exchange
    /// and binding and then stops: that is the topology step run before any publisher starts.
    /// </summary>
    public static IHostApplicationBuilder AddCoordinationMessaging<TContractMap>(this IHostApplicationBuilder builder,
        ServiceInfo service, Assembly consumersAssembly, Action<IBusRegistrationConfigurator>? moreConsumers = null)
        where TContractMap : class, IContractMap
    {
        var rabbit = builder.Configuration.GetConnectionString("RabbitMq")
            ?? throw new InvalidOperationException("ConnectionStrings:RabbitMq is not configured.");
        var topologyOnly = builder.Configuration.GetValue<bool>(DeployTopologyOnlyKey);

        builder.Services.AddSingleton<IContractMap, TContractMap>();
        builder.Services.TryAddSingleton<IContractSender, MassTransitContractSender>();

        builder.Services.AddMassTransit(x =>
        {
            x.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(service.QueuePrefix, false));
            x.AddConsumers(consumersAssembly);
            moreConsumers?.Invoke(x);
            x.AddConfigureEndpointsCallback((context, _, endpoint) =>
            {
                // A consumer is usually the first to meet an outage: from then on requests get their deadline.
                var outage = context.GetService<DatabaseOutage>();
                // Outer layer, database outages only: the message is tried again for about five minutes, long
                // enough to outlast a restart or a partition, and only then faulted (ADR 0060). Consumers are
                // idempotent, so a try whose commit reached the database before the connection broke is harmless.
                endpoint.UseMessageRetry(r =>
                {
                    r.Handle<Exception>(e =>
                    {
                        if (!TransientFailures.IsDatabaseOutage(e)) return false;
                        outage?.Seen();
                        return true;
                    });
                    r.SetRetryPolicy(filter => filter.Exponential(OutageRetryLimit, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(1)));
                });
                // Inner layer, everything else (a poison message, a bug): quick in-process retries, then the
                // message goes to _error where it can be re-driven once the cause is fixed.
                endpoint.UseMessageRetry(r =>
                {
                    r.Ignore<Exception>(TransientFailures.IsDatabaseOutage);
                    r.Intervals(PoisonRetryIntervals);
                });
            });
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(new Uri(rabbit), h =>
                {
                    h.PublisherConfirmation = true;
                    h.ConnectionName(service.Name);
                });
                cfg.PrefetchCount = 32;
                cfg.DeployTopologyOnly = topologyOnly;
                cfg.DeployPublishTopology = topologyOnly;
                cfg.ConfigureEndpoints(context);
            });
        });
        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            // The host is ready only once every receive endpoint (and so its queue) exists.
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(60);
            o.StopTimeout = TimeSpan.FromSeconds(15);
        });
        return builder;
    }
}
