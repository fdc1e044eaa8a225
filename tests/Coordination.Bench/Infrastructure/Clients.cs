using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Coordination.Testing;

namespace Coordination.Bench.Infrastructure;

/// <summary>
/// HTTP clients for the load: one pooled handler with enough connections for the in-flight cap, no cookies,
/// no cache, and real tokens from the running Identity service (5-minute tokens, fetched again before expiry).
/// </summary>
public sealed class Clients : IDisposable
{
    private readonly SocketsHttpHandler _handler = new()
    {
        MaxConnectionsPerServer = 512,
        PooledConnectionLifetime = TimeSpan.FromMinutes(10),
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(5),
    };

    public Clients(BenchSettings settings)
    {
        Settings = settings;
        Tokens = new Tokens(settings.Identity);
    }

    public BenchSettings Settings { get; }

    public Tokens Tokens { get; }

    public HttpClient For(Uri service) => new(_handler, disposeHandler: false) { BaseAddress = service, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>A request with the token of <paramref name="login"/> (code + PKCE through the login form; cached until a minute before expiry).</summary>
    public async Task<HttpRequestMessage> Request(HttpMethod method, string path, string login, object? body = null, string? ifMatch = null,
        string? password = null)
    {
        var token = password is null ? await Tokens.User(login) : await Tokens.User(login, password);
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = JsonContent.Create(body, options: Json);
        if (ifMatch is not null) request.Headers.IfMatch.Add(new EntityTagHeaderValue(ifMatch));
        return request;
    }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public void Dispose() => _handler.Dispose();
}
