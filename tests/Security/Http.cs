using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Security.Tests;

/// <summary>An answer as the suite judges it: status, media type, the whole body as text, and the headers it uses.</summary>
public sealed record Answer(int Status, string? MediaType, string Body, string? ETag)
{
    /// <summary>Where a redirect sends the client (Identity's OAuth endpoints and pages).</summary>
    public string? Location { get; init; }

    /// <summary>The WWW-Authenticate challenge, where an OAuth error may be told (userinfo).</summary>
    public string? Challenge { get; init; }

    public bool IsSuccess => Status is >= 200 and < 300;

    public bool IsProblem => MediaType == "application/problem+json";

    public JsonNode? Json()
    {
        try
        {
            return Body.Length == 0 ? null : JsonNode.Parse(Body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public override string ToString() => $"{Status} {MediaType} {Shorten(Body, 400)}";

    public static string Shorten(string text, int max) => text.Length <= max ? text : text[..max] + $"… ({text.Length} chars)";
}

/// <summary>A request about to be sent: everything needed to send it again or to print it in a failure.</summary>
public sealed record Request(string Service, HttpMethod Method, string Url, byte[]? Body = null, string? ContentType = null,
    IReadOnlyList<KeyValuePair<string, string>>? Headers = null)
{
    public static Request Json(string service, HttpMethod method, string url, JsonNode? body, string contentType = "application/json",
        IReadOnlyList<KeyValuePair<string, string>>? headers = null) =>
        new(service, method, url, body is null ? null : Encoding.UTF8.GetBytes(body.ToJsonString()), body is null ? null : contentType, headers);

    public string BodyText => Body is null ? "" : Encoding.UTF8.GetString(Body);

    public override string ToString()
    {
        var headers = Headers is { Count: > 0 } h ? " [" + string.Join("; ", h.Select(x => $"{x.Key}: {Answer.Shorten(x.Value, 80)}")) + "]" : "";
        var body = Body is null ? "" : $" {ContentType} {Answer.Shorten(BodyText, 300)}";
        return $"{Method} {Service}/{Answer.Shorten(Url, 300)}{headers}{body}";
    }
}

/// <summary>One HTTP client per service, shared by every test (a client is safe to use concurrently).</summary>
public sealed class Clients(Func<string, Uri> baseAddress)
{
    private readonly Dictionary<string, HttpClient> _clients = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public HttpClient For(string service)
    {
        lock (_gate)
        {
            if (!_clients.TryGetValue(service, out var client))
            {
                // Redirects are answers under test (the login form), never followed.
                client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, MaxConnectionsPerServer = 16 })
                {
                    BaseAddress = baseAddress(service),
                    Timeout = TimeSpan.FromSeconds(90),
                };
                _clients[service] = client;
            }
            return client;
        }
    }

    public async Task<Answer> Send(Request request, string? token)
    {
        using var message = new HttpRequestMessage(request.Method, new Uri(request.Url, UriKind.Relative));
        if (token is not null) message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        foreach (var (name, value) in request.Headers ?? [])
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
            if (request.ContentType is not null) message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
        }
        using var response = await For(request.Service).SendAsync(message);
        var body = await response.Content.ReadAsStringAsync();
        return new Answer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, response.Headers.ETag?.ToString())
        {
            Location = response.Headers.Location?.ToString(),
            Challenge = response.Headers.WwwAuthenticate.Count > 0 ? string.Join(", ", response.Headers.WwwAuthenticate) : null,
        };
    }

    public Task<Answer> Send(Request request, Actor actor) => Send(request, actor.Token);
}

public static class JsonExtensions
{
    /// <summary>Every JSON object of a document, depth first (to find the items a list carries).</summary>
    public static IEnumerable<JsonObject> Objects(this JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                yield return o;
                foreach (var (_, child) in o)
                {
                    foreach (var x in child.Objects()) yield return x;
                }
                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    foreach (var x in child.Objects()) yield return x;
                }
                break;
        }
    }

    /// <summary>Path → value of every leaf, to compare two documents member by member.</summary>
    public static Dictionary<string, string> Flatten(this JsonNode? node, IReadOnlySet<string>? ignored = null)
    {
        var leaves = new Dictionary<string, string>(StringComparer.Ordinal);
        void Walk(JsonNode? n, string path)
        {
            switch (n)
            {
                case JsonObject o:
                    foreach (var (key, child) in o)
                    {
                        if (ignored?.Contains(key) == true) continue;
                        Walk(child, path + "." + key);
                    }
                    if (o.Count == 0) leaves[path] = "{}";
                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++) Walk(a[i], $"{path}[{i}]");
                    if (a.Count == 0) leaves[path] = "[]";
                    break;
                default:
                    leaves[path] = n?.ToJsonString() ?? "null";
                    break;
            }
        }
        Walk(node, "$");
        return leaves;
    }
}
