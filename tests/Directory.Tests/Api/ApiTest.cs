using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordination.ServiceDefaults.Demo;
using Coordination.Testing;
using Xunit;

namespace Directory.Tests.Api;

/// <summary>Helpers for API tests: clients per caller, raw JSON requests, If-Match, and Problem Details assertions.</summary>
public abstract class ApiTest(DirectoryFixture fixture)
{
    protected DirectoryFixture Fixture { get; } = fixture;

    public const string Coordinator = "coordinator@demo";
    public const string SocialWorker = "social-worker@demo";
    public const string CafAgent = "caf-agent@demo";
    public const string PersonLogin = "person@demo";

    protected static readonly Guid Ccas = DemoData.CcasNarbonne;
    protected static readonly Guid Caf = DemoData.CafAude;

    protected Task<HttpClient> Admin() => Fixture.AdminClient(Fixture.Directory);

    protected Task<HttpClient> As(string login) => Fixture.UserClient(Fixture.Directory, login);

    protected static async Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string url, object? body = null,
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

    protected static async Task<JsonNode> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text.Length == 0 ? "null" : text) ?? new JsonObject();
    }

    /// <summary>A 400 Problem Details whose errors name <paramref name="field"/>.</summary>
    protected static async Task AssertInvalid(HttpResponseMessage response, string field)
    {
        var problem = await Json(response, HttpStatusCode.BadRequest);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = problem["errors"]?.AsObject();
        Assert.True(errors is not null && errors.ContainsKey(field), $"Expected an error for '{field}': {problem.ToJsonString()}");
    }

    protected static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string? code = null)
    {
        var problem = await Json(response, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)status, problem["status"]?.GetValue<int>());
        if (code is not null) Assert.Equal(code, problem["code"]?.GetValue<string>());
    }

    protected static string ETag(HttpResponseMessage response) =>
        response.Headers.ETag?.ToString() ?? throw new InvalidOperationException("No ETag on the answer.");

    protected static string Unique(string prefix) => $"{prefix} {Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>A new body registered by the admin; its id.</summary>
    protected async Task<Guid> NewBody(object? body = null)
    {
        using var admin = await Admin();
        var response = await Send(admin, HttpMethod.Post, "bodies", body ?? new
        {
            name = Unique("Centre social"),
            kind = "association",
            address = new { line = "1 rue de la Paix", postalCode = "11100", communeInsee = "11262", commune = "Narbonne" },
        });
        var created = await Json(response, HttpStatusCode.Created);
        return created["id"]!.GetValue<Guid>();
    }

    protected async Task<(HttpResponseMessage Response, JsonNode Json)> Get(HttpClient client, string url)
    {
        var response = await client.GetAsync(new Uri(url, UriKind.Relative));
        return (response, await Json(response, HttpStatusCode.OK));
    }
}
