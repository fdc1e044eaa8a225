using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Coordination.Bench.Baselines;

public sealed record BenchPing(Guid Id, DateTimeOffset SentAt);

/// <summary>
/// MassTransit's own ceiling from publish to consume on this broker: durable queue, publisher confirms,
/// concurrent publishes, prefetch 32 — the same durability the services use.
/// </summary>
public static class MassTransitThroughput
{
    public static async Task<double> MessagesPerSecond(BenchSettings settings, int publishers, string vhost)
    {
        var counter = new Counter();
        var services = new ServiceCollection();
        services.AddSingleton(counter);
        services.AddMassTransit(x =>
        {
            x.AddConsumer<PingConsumer>().Endpoint(e => e.Name = "bench-ping");
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(new UriBuilder(settings.Rabbit) { Path = "/" + vhost }.Uri, h => h.PublisherConfirmation = true);
                cfg.PrefetchCount = 32;
                cfg.ConfigureEndpoints(context);
            });
        });
        await using var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync();
        try
        {
            await Publish(bus, publishers, TimeSpan.FromSeconds(2));
            await counter.Drain();
            var consumedBefore = counter.Consumed;
            var stopwatch = Stopwatch.StartNew();
            await Publish(bus, publishers, settings.Duration);
            await counter.Drain();
            return (counter.Consumed - consumedBefore) / stopwatch.Elapsed.TotalSeconds;
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    /// <summary>
    /// The broker's round trip as the services see it: one message at a time, publish with confirm → consume,
    /// same durability and prefetch. The baseline of every cross-service delay (lag, revocation).
    /// </summary>
    public static async Task<Infrastructure.Latency> RoundTrip(BenchSettings settings, string vhost, int count)
    {
        var counter = new Counter();
        var services = new ServiceCollection();
        services.AddSingleton(counter);
        services.AddMassTransit(x =>
        {
            x.AddConsumer<PingConsumer>().Endpoint(e => e.Name = "bench-ping-rtt");
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(new UriBuilder(settings.Rabbit) { Path = "/" + vhost }.Uri, h => h.PublisherConfirmation = true);
                cfg.PrefetchCount = 32;
                cfg.ConfigureEndpoints(context);
            });
        });
        await using var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync();
        var latency = new Infrastructure.Latency();
        try
        {
            for (var i = 0; i < count + 20; i++)
            {
                var arrived = counter.Next();
                var clock = Stopwatch.StartNew();
                await bus.Publish(new BenchPing(Guid.NewGuid(), DateTimeOffset.UtcNow));
                await arrived.WaitAsync(TimeSpan.FromSeconds(10));
                // The first messages warm the connection and the code paths.
                if (i >= 20) latency.Record(clock.Elapsed);
            }
        }
        finally
        {
            await bus.StopAsync();
        }
        return latency;
    }

    private static async Task Publish(IBus bus, int publishers, TimeSpan duration)
    {
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, publishers).Select(async _ =>
        {
            while (stopwatch.Elapsed < duration) await bus.Publish(new BenchPing(Guid.NewGuid(), DateTimeOffset.UtcNow));
        }));
    }

    public sealed class Counter
    {
        private long _consumed;
        private long _lastSeen = -1;

        public long Consumed => Interlocked.Read(ref _consumed);

        private TaskCompletionSource? _next;

        public void Increment()
        {
            Interlocked.Increment(ref _consumed);
            Interlocked.Exchange(ref _next, null)?.TrySetResult();
        }

        /// <summary>Completes when the next message is consumed.</summary>
        public Task Next()
        {
            var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _next = next;
            return next.Task;
        }

        /// <summary>Waits until consumption stops moving (the queue is empty).</summary>
        public async Task Drain()
        {
            while (Consumed != _lastSeen)
            {
                _lastSeen = Consumed;
                await Task.Delay(300);
            }
        }
    }

    public sealed class PingConsumer(Counter counter) : IConsumer<BenchPing>
    {
        public Task Consume(ConsumeContext<BenchPing> context)
        {
            counter.Increment();
            return Task.CompletedTask;
        }
    }
}
