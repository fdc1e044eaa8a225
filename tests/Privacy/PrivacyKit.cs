using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace Privacy.Tests;

/// <summary>Requests with their headers, and answers read as JSON, for the privacy tests.</summary>
public static class PrivacyKit
{
    public const string SocialWorker = "social-worker@demo";
    public const string CafAgent = "caf-agent@demo";
    public const string Coordinator = "coordinator@demo";
    public const string Adviser = "adviser@demo";

    public static readonly string[] AllCategories =
        ["identity", "orientation", "orientation_details", "contacts", "companion", "appointments", "accompaniment"];

    public static async Task<HttpResponseMessage> Send(this HttpClient client, HttpMethod method, string path, object? body = null,
        string? ifMatch = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), Encoding.UTF8, "application/json");
        }
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> Post(this HttpClient client, string path, object? body = null, string? ifMatch = null,
        string? idempotencyKey = null) => client.Send(HttpMethod.Post, path, body ?? new { }, ifMatch, idempotencyKey);

    public static async Task<JsonNode> Expect(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != status)
        {
            Assert.Fail($"Expected {(int)status} from {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}, got " +
                $"{(int)response.StatusCode}: {text}");
        }
        return JsonNode.Parse(text.Length == 0 ? "{}" : text)!;
    }

    public static async Task<JsonNode> GetJson(this HttpClient client, string path, HttpStatusCode status = HttpStatusCode.OK) =>
        await (await client.GetAsync(new Uri(path, UriKind.Relative))).Expect(status);

    public static string ETag(this HttpResponseMessage response) => response.Headers.ETag?.Tag ?? throw new InvalidOperationException("No ETag.");

    /// <summary>Letters only, so that a name or a login made from it is accepted everywhere.</summary>
    public static string Letters(int length = 8) =>
        new(Enumerable.Range(0, length).Select(_ => (char)('a' + Random.Shared.Next(26))).ToArray());

    public static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
