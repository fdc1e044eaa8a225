using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace Coordination.Testing;

/// <summary>
/// Raw HTTP calls and Problem Details assertions shared by every service's API tests. Bodies are sent as text
/// (an object is serialised with the web defaults; a string is sent as is, so malformed JSON can be sent too).
/// </summary>
public static class ApiCalls
{
    public static async Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string url, object? body = null,
        string? ifMatch = null, string? idempotencyKey = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            var text = body as string ?? JsonSerializer.Serialize(body, JsonSerializerOptions.Web);
            request.Content = new StringContent(text, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType) { CharSet = "utf-8" };
        }
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await client.SendAsync(request);
    }

    /// <summary>The answer's JSON, after asserting its status (the message shows the body when it differs).</summary>
    public static async Task<JsonNode> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text.Length == 0 ? "null" : text) ?? new JsonObject();
    }

    /// <summary>A Problem Details answer with this status (and code, when given); the problem.</summary>
    public static async Task<JsonNode> AssertProblem(HttpResponseMessage response, HttpStatusCode status, string? code = null)
    {
        var problem = await Json(response, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)status, problem["status"]?.GetValue<int>());
        if (code is not null) Assert.Equal(code, problem["code"]?.GetValue<string>());
        return problem;
    }

    /// <summary>A 400 Problem Details whose errors name <paramref name="field"/>.</summary>
    public static async Task AssertInvalid(HttpResponseMessage response, string field)
    {
        var problem = await AssertProblem(response, HttpStatusCode.BadRequest);
        var errors = problem["errors"]?.AsObject();
        Assert.True(errors is not null && errors.ContainsKey(field), $"Expected an error for '{field}': {problem.ToJsonString()}");
    }

    public static string ETag(HttpResponseMessage response) =>
        response.Headers.ETag?.ToString() ?? throw new InvalidOperationException("No ETag on the answer.");

    /// <summary>A name no other test uses, so tests sharing a fixture never see each other's data.</summary>
    public static string Unique(string prefix) => $"{prefix} {Guid.NewGuid().ToString("N")[..8]}";
}
