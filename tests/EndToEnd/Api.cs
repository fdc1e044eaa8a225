using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace EndToEnd.Tests;

/// <summary>One HTTP answer: status, JSON body (null when empty or not JSON) and ETag.</summary>
public sealed record Answer(HttpStatusCode Status, JsonNode? Body, string? ETag)
{
    public JsonNode Json => Body ?? throw new InvalidOperationException($"No JSON body ({(int)Status}).");

    public Answer Expect(HttpStatusCode status) =>
        Status == status ? this : throw new InvalidOperationException($"Expected {(int)status}, got {(int)Status}: {Body?.ToJsonString()}");
}

/// <summary>A caller of one service with one token: the story's small HTTP vocabulary.</summary>
public sealed class Api(HttpClient client) : IDisposable
{
    public Task<Answer> Get(string route) => Send(HttpMethod.Get, route);

    public Task<Answer> Post(string route, object? body = null, string? ifMatch = null, string? idempotencyKey = null) =>
        Send(HttpMethod.Post, route, body, ifMatch, idempotencyKey);

    public Task<Answer> Put(string route, object body, string? ifMatch = null) => Send(HttpMethod.Put, route, body, ifMatch);

    public async Task<Answer> Send(HttpMethod method, string route, object? body = null, string? ifMatch = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(route, UriKind.Relative));
        if (body is not null) request.Content = JsonContent.Create(body);
        if (ifMatch is not null) request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? json = null;
        if (text.Length > 0 && response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true)
        {
            json = JsonNode.Parse(text);
        }
        return new Answer(response.StatusCode, json, response.Headers.ETag?.Tag);
    }

    public void Dispose() => client.Dispose();
}
