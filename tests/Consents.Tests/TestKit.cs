using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Consents.Api.AccessLog;
using Coordination.ServiceDefaults.Demo;
using Marten;
using MassTransit;
using Xunit;

namespace Consents.Tests;

/// <summary>What the API tests share: fresh persons, requests with headers, and reading answers.</summary>
public static class TestKit
{
    public static readonly string[] AllCategories =
        ["identity", "orientation", "orientation_details", "contacts", "companion", "appointments", "accompaniment"];

    /// <summary>A family name no other test uses (letters only), so registrations never collide.</summary>
    public static string UniqueName(string prefix = "Test") =>
        prefix + new string(Enumerable.Range(0, 10).Select(_ => (char)('a' + Random.Shared.Next(26))).ToArray());

    public static object Grant(Guid body, string[]? categories = null, string purpose = "follow_up_coordination", DateTimeOffset? validUntil = null) =>
        new { bodyId = body, categories = categories ?? AllCategories, purpose, validUntil };

    public static object Registration(string familyName, string givenName = "Marie", string birthDate = "1980-03-14", object[]? grants = null,
        string? phone = null, string? email = null, string consentCollection = "in_person", object? legalRepresentative = null,
        string? consentGivenBy = null) =>
        new
        {
            givenName, familyName, birthDate, phone, email, consentCollection, consentGivenBy, legalRepresentative,
            grants = grants ?? [Grant(DemoData.CcasNarbonne)],
        };

    public sealed record Created(Guid Id, string DisplayName, string? ActivationCode, DateTimeOffset ActivationCodeExpiresAt, Guid[] ConsentIds);

    /// <summary>Registers a person as the CCAS social worker (or another login) and returns what the API answered.</summary>
    public static async Task<Created> Register(this ConsentsFixture fixture, object? registration = null, string login = "social-worker@demo")
    {
        using var client = await fixture.As(login);
        var response = await client.PostAsJsonAsync("persons", registration ?? Registration(UniqueName()));
        await Expect(response, HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<Created>())!;
    }

    public static async Task<HttpResponseMessage> Send(this HttpClient client, HttpMethod method, string path, object? body = null,
        string? ifMatch = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonContent.Create(body);
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await client.SendAsync(request);
    }

    public static async Task Expect(HttpResponseMessage response, HttpStatusCode status)
    {
        if (response.StatusCode != status)
        {
            Assert.Fail($"Expected {(int)status} from {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}, got {(int)response.StatusCode}: " +
                await response.Content.ReadAsStringAsync());
        }
    }

    public static async Task<JsonNode> Json(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new InvalidOperationException("Empty body.");

    public static async Task<JsonNode> ExpectJson(this HttpResponseMessage response, HttpStatusCode status)
    {
        await Expect(response, status);
        return await response.Json();
    }

    /// <summary>The field names of a validation problem.</summary>
    public static async Task<string[]> ErrorFields(this HttpResponseMessage response)
    {
        var json = await response.ExpectJson(HttpStatusCode.BadRequest);
        return json["errors"]!.AsObject().Select(p => p.Key).ToArray();
    }

    public static string ETag(this HttpResponseMessage response) => response.Headers.ETag?.Tag ?? throw new InvalidOperationException("No ETag.");

    /// <summary>
    /// Asserts the answer is the 404 of an unknown id: same status, type, title, detail and code, and no other
    /// member than an unknown id's answer has (the trace id and the instance path differ by nature).
    /// </summary>
    public static async Task AssertUnknownIdAnswer(HttpResponseMessage response, HttpResponseMessage unknown)
    {
        await Expect(response, HttpStatusCode.NotFound);
        var body = (await response.Json()).AsObject();
        var reference = (await unknown.ExpectJson(HttpStatusCode.NotFound)).AsObject();
        Assert.Equal(reference.Select(p => p.Key).Order(), body.Select(p => p.Key).Order());
        foreach (var (key, value) in reference)
        {
            if (key is "traceId" or "instance") continue;
            Assert.Equal(value?.ToJsonString(), body[key]?.ToJsonString());
        }
        Assert.Equal(unknown.Content.Headers.ContentType?.MediaType, response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>The <c>sub</c> of an access token (the subject Identity gave the login).</summary>
    public static string SubjectOf(string token)
    {
        var payload = token.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        return JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)))!["sub"]!.GetValue<string>();
    }

    public static async Task<IReadOnlyList<AccessLogEntry>> AccessLog(this ConsentsFixture fixture, Guid personId)
    {
        await using var session = fixture.Store.QuerySession();
        return await session.Query<AccessLogEntry>().Where(e => e.PersonId == personId).ToListAsync();
    }

    /// <summary>Waits until the person's access log holds an entry matching the predicate, and returns it.</summary>
    public static async Task<AccessLogEntry> AccessLogged(this ConsentsFixture fixture, Guid personId, Func<AccessLogEntry, bool> predicate,
        string because)
    {
        AccessLogEntry? found = null;
        await CoordinationTestingExtensions.Eventually(async () => (found = (await fixture.AccessLog(personId)).FirstOrDefault(predicate)) is not null, because);
        return found!;
    }

    public static JsonSerializerOptions Web { get; } = new(JsonSerializerDefaults.Web);
}

public static class CoordinationTestingExtensions
{
    public static Task Eventually(Func<Task<bool>> probe, string because) =>
        Coordination.Testing.CoordinationFixture.AssertEventually(probe, ConsentsFixture.Delivery, because);

    public static async Task<string> Token(this ConsentsFixture fixture, string login) => await fixture.Tokens.User(login);

    public static HttpClient WithToken(this ConsentsFixture fixture, string token)
    {
        var client = fixture.Consents.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}

/// <summary>Facts other services would publish, sent through the Consents host's bus like the real ones.</summary>
public static class OtherServices
{
    /// <summary>Makes a body involved with the person the way Referrals does: a referral sent to it.</summary>
    public static async Task Refer(this ConsentsFixture fixture, Guid personId, Guid fromBody, Guid toBody)
    {
        var bus = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<MassTransit.IBus>(fixture.Consents.Services);
        await bus.Publish(new Referrals.Contracts.ReferralSent(Guid.CreateVersion7(), personId, fromBody, "sub-referrer", toBody, null, "acces-aux-droits",
            "rsa", "normal", new DateOnly(2027, 1, 31), null, DateTimeOffset.UtcNow));
        await CoordinationTestingExtensions.Eventually(async () =>
        {
            await using var session = fixture.Store.QuerySession();
            return await session.Query<Coordination.Secrecy.Gate.Copies.InvolvementRecord>()
                .AnyAsync(i => i.PersonId == personId && i.BodyId == toBody);
        }, "the receiving body's involvement in Consents");
    }

    public static Task Publish<T>(this ConsentsFixture fixture, T message, Guid? messageId = null) where T : class
    {
        var bus = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<MassTransit.IBus>(fixture.Consents.Services);
        var id = messageId ?? Guid.CreateVersion7();
        return bus.Publish<T>(message, c => c.MessageId = id);
    }
}
