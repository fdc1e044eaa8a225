using System.Net.Http.Json;
using System.Text.Json;
using Coordination.Testing;

namespace Privacy.Tests;

/// <summary>
/// A queue of the test's own, bound on the broker to the exchange in front of a service's queue: RabbitMQ copies into
/// it every message routed to that queue, and nobody consumes it, so the copies stay held there — what travelled through
/// the queue, readable (and scanned with the rest of the vhost) after the service consumed the originals. Deleted on dispose.
/// </summary>
public sealed class BrokerTap : IAsyncDisposable
{
    private readonly TestVhost _vhost;

    private BrokerTap(TestVhost vhost, string name, string queue)
    {
        _vhost = vhost;
        Name = name;
        Queue = queue;
    }

    public string Name { get; }

    /// <summary>The tapped queue.</summary>
    public string Queue { get; }

    /// <summary>
    /// Consents' queue for <c>PersonExportPart</c> (MassTransit names it after the consumer, prefixed by the service):
    /// the one queue the export's parts travel through.
    /// </summary>
    public static async Task<string> PartsQueueAsync(TestVhost vhost)
    {
        var names = await vhost.QueueNames();
        var parts = names.Where(n => n.EndsWith("person-export-part", StringComparison.Ordinal) && n.StartsWith("consents", StringComparison.Ordinal)).ToList();
        return parts.Count == 1 ? parts[0] : throw new InvalidOperationException($"No single parts' queue among {string.Join(", ", names)}");
    }

    /// <summary>Declares the tap and binds it to the exchange that feeds <paramref name="queue"/> (MassTransit gives it the queue's name).</summary>
    public static async Task<BrokerTap> CreateAsync(TestVhost vhost, string queue, string name)
    {
        using var http = await ManagementAsync();
        var v = Uri.EscapeDataString(vhost.Name);
        var bindings = await http.GetFromJsonAsync<List<JsonElement>>($"api/queues/{v}/{Uri.EscapeDataString(queue)}/bindings") ?? [];
        var exchange = bindings.Select(b => b.GetProperty("source").GetString()).SingleOrDefault(s => !string.IsNullOrEmpty(s))
            ?? throw new InvalidOperationException($"No exchange feeds {queue}.");
        (await http.PutAsJsonAsync($"api/queues/{v}/{Uri.EscapeDataString(name)}", new { durable = true, auto_delete = false })).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync($"api/bindings/{v}/e/{Uri.EscapeDataString(exchange)}/q/{Uri.EscapeDataString(name)}", new { routing_key = "" }))
            .EnsureSuccessStatusCode();
        return new BrokerTap(vhost, name, queue);
    }

    /// <summary>The copies held, bodies and properties as JSON text, read without taking them (got and requeued).</summary>
    public async Task<IReadOnlyList<string>> MessagesAsync()
    {
        using var http = await ManagementAsync();
        using var response = await http.PostAsJsonAsync($"api/queues/{Uri.EscapeDataString(_vhost.Name)}/{Uri.EscapeDataString(Name)}/get",
            new { count = 10_000, ackmode = "ack_requeue_true", encoding = "auto", truncate = 10_000_000 });
        response.EnsureSuccessStatusCode();
        var got = await response.Content.ReadFromJsonAsync<List<JsonElement>>() ?? [];
        return got.Select(m => m.GetProperty("payload").GetString() ?? "").ToList();
    }

    private static async Task<HttpClient> ManagementAsync() => TestInfrastructure.ManagementClient((await TestInfrastructure.GetAsync()).Management);

    public async ValueTask DisposeAsync()
    {
        using var http = await ManagementAsync();
        await http.DeleteAsync(new Uri($"api/queues/{Uri.EscapeDataString(_vhost.Name)}/{Uri.EscapeDataString(Name)}", UriKind.Relative));
    }
}
