using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Coordination.Testing;

/// <summary>
/// One service in-process on a real loopback port (Kestrel), configured for the fixture's database and
/// vhost. Settings go through UseSetting so they are visible while Program.cs registers its services.
/// </summary>
public sealed class ServiceHost<TMarker> : WebApplicationFactory<TMarker>, IServiceHost where TMarker : class
{
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _configureServices;

    public ServiceHost(string name, int port, IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? configureServices = null)
    {
        Name = name;
        _settings = settings;
        _configureServices = configureServices;
        UseKestrel(o => o.Listen(IPAddress.Loopback, port));
    }

    public string Name { get; }

    public Uri BaseAddress { get; private set; } = null!;

    IServiceProvider IServiceHost.Services => Services;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        if (_configureServices is not null) builder.ConfigureServices(_configureServices);
    }

    public Task StartAsync() => Task.Run(() =>
    {
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
    });

    public HttpClient Client() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
}

public static class Ports
{
    /// <summary>A free loopback port, for a service whose own URL must be known before it starts (the token issuer).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public interface IServiceHost : IAsyncDisposable
{
    string Name { get; }
    Uri BaseAddress { get; }
    IServiceProvider Services { get; }
    HttpClient Client();
    Task StartAsync();
}
