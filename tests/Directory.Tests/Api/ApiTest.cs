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

    protected static Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string url, object? body = null,
        string? ifMatch = null, string? idempotencyKey = null, string contentType = "application/json") =>
        ApiCalls.Send(client, method, url, body, ifMatch, idempotencyKey, contentType);

    protected static Task<JsonNode> Json(HttpResponseMessage response, HttpStatusCode expected) => ApiCalls.Json(response, expected);

    protected static Task AssertInvalid(HttpResponseMessage response, string field) => ApiCalls.AssertInvalid(response, field);

    protected static Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string? code = null) =>
        ApiCalls.AssertProblem(response, status, code);

    protected static string ETag(HttpResponseMessage response) => ApiCalls.ETag(response);

    protected static string Unique(string prefix) => ApiCalls.Unique(prefix);

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
