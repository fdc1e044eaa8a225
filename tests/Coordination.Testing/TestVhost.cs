using System.Net.Http.Json;

namespace Coordination.Testing;

/// <summary>A fresh RabbitMQ virtual host per fixture, so queues of two fixtures never meet; deleted afterwards.</summary>
public sealed class TestVhost : IAsyncDisposable
{
    private readonly TestInfrastructure.Endpoints _endpoints;

    private TestVhost(TestInfrastructure.Endpoints endpoints, string name)
    {
        _endpoints = endpoints;
        Name = name;
    }

    public string Name { get; }

    public Uri AmqpUri => new UriBuilder(_endpoints.Rabbit) { Path = "/" + Uri.EscapeDataString(Name) }.Uri;

    public static async Task<TestVhost> CreateAsync(TestInfrastructure.Endpoints endpoints)
    {
        var vhost = new TestVhost(endpoints, "ct-" + Guid.NewGuid().ToString("N")[..12]);
        using var http = TestInfrastructure.ManagementClient(endpoints.Management);
        (await http.PutAsJsonAsync($"api/vhosts/{vhost.Name}", new { })).EnsureSuccessStatusCode();
        var user = Uri.UnescapeDataString(endpoints.Rabbit.UserInfo.Split(':')[0]);
        (await http.PutAsJsonAsync($"api/permissions/{vhost.Name}/{Uri.EscapeDataString(user)}",
            new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        return vhost;
    }

    /// <summary>Messages waiting in a queue of this vhost (the management API's view, refreshed every few seconds).</summary>
    public async Task<IReadOnlyList<string>> QueueNames()
    {
        using var http = TestInfrastructure.ManagementClient(_endpoints.Management);
        var queues = await http.GetFromJsonAsync<List<QueueInfo>>($"api/queues/{Name}");
        return queues!.Select(q => q.Name).ToList();
    }

    private sealed record QueueInfo(string Name);

    public async ValueTask DisposeAsync()
    {
        using var http = TestInfrastructure.ManagementClient(_endpoints.Management);
        await http.DeleteAsync(new Uri($"api/vhosts/{Name}", UriKind.Relative));
    }
}
