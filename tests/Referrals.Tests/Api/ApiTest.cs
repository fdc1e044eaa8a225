using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Consents.Contracts;
using Coordination.Secrecy;
using Coordination.Secrecy.Gate.Copies;
using Coordination.ServiceDefaults.Demo;
using Coordination.Testing;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Referrals.Api.Copies;
using Referrals.Api.Referrals.GettingDetails;
using Xunit;

namespace Referrals.Tests.Api;

/// <summary>
/// Helpers for API tests: callers by demo login, raw JSON requests, Problem Details assertions, and the
/// other services' contracts published on Referrals' bus (Consents and Appointments are not running), each
/// awaited until its copy is in Referrals' store.
/// </summary>
public abstract class ApiTest(ReferralsFixture fixture)
{
    // Cross-service delivery: seconds normally, at most the held-hole cap (45 s, ADR 0008) plus margin.
    protected static readonly TimeSpan Delivery = TimeSpan.FromSeconds(60);

    public const string SocialWorker = "social-worker@demo";
    public const string Coordinator = "coordinator@demo";
    public const string CafAgent = "caf-agent@demo";
    public const string Adviser = "adviser@demo";
    public const string MairieSecretary = "mairie-secretary@demo";
    public const string PeerWorker = "peer-worker@demo";
    public const string Volunteer = "volunteer@demo";
    public const string PersonLogin = "person@demo";

    protected static readonly Guid Ccas = DemoData.CcasNarbonne;
    protected static readonly Guid Caf = DemoData.CafAude;
    protected static readonly Guid FranceServices = DemoData.FranceServicesNarbonne;
    protected static readonly Guid Pairs = DemoData.AssociationPairs;
    protected static readonly Guid Mairie = DemoData.MairieNarbonne;

    protected const string Need = "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits";

    protected static readonly string[] FullCategories = [.. Categories.All];

    protected ReferralsFixture Fixture { get; } = fixture;

    protected IDocumentStore Store => Fixture.Referrals.Services.GetRequiredService<IDocumentStore>();

    protected IBus Bus => Fixture.Referrals.Services.GetRequiredService<IBus>();

    protected Task<HttpClient> As(string login) => Fixture.UserClient(Fixture.Referrals, login);

    protected Task<HttpClient> Admin() => Fixture.AdminClient(Fixture.Referrals);

    protected async Task<string> SubjectOf(string login) => new JsonWebTokenHandler().ReadJsonWebToken(await Fixture.Tokens.User(login)).Subject;

    // ---- HTTP ----

    protected static Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string url, object? body = null,
        string? ifMatch = null, string? idempotencyKey = null) => ApiCalls.Send(client, method, url, body, ifMatch, idempotencyKey);

    protected static Task<HttpResponseMessage> Post(HttpClient client, string url, object? body = null, string? ifMatch = null, string? key = null) =>
        Send(client, HttpMethod.Post, url, body, ifMatch, key);

    protected static async Task<HttpResponseMessage> Get(HttpClient client, string url) => await client.GetAsync(new Uri(url, UriKind.Relative));

    protected static Task<JsonNode> Json(HttpResponseMessage response, HttpStatusCode expected) => ApiCalls.Json(response, expected);

    protected static Task AssertInvalid(HttpResponseMessage response, string field) => ApiCalls.AssertInvalid(response, field);

    protected static Task<JsonNode> AssertProblem(HttpResponseMessage response, HttpStatusCode status, string? code = null) =>
        ApiCalls.AssertProblem(response, status, code);

    /// <summary>The 404 of an unknown id, exactly.</summary>
    protected static async Task AssertUnknown(HttpResponseMessage response)
    {
        var problem = await AssertProblem(response, HttpStatusCode.NotFound, "not-found");
        Assert.Equal("No resource with this id.", problem["detail"]!.GetValue<string>());
        Assert.Equal(["code", "detail", "instance", "status", "title", "traceId", "type"], problem.AsObject().Select(p => p.Key).Order());
    }

    protected static string ETag(HttpResponseMessage response) => ApiCalls.ETag(response);

    // ---- Other services' contracts, published as their publishers would ----

    protected async Task Publish<T>(T message) where T : class => await Bus.Publish(message, c => c.MessageId = Guid.CreateVersion7());

    protected async Task Eventually(Func<IQuerySession, Task<bool>> probe, string because)
    {
        await CoordinationFixture.AssertEventually(async () =>
        {
            await using var session = Store.QuerySession();
            return await probe(session);
        }, Delivery, because);
    }

    /// <summary>A new person registered by <paramref name="registeredBy"/> (which is then involved); their id.</summary>
    protected async Task<Guid> NewPerson(Guid registeredBy, string displayName = "Camille Durand")
    {
        var personId = Guid.CreateVersion7();
        await Publish(new PersonRegistered(personId, displayName, registeredBy, "someone", DateTimeOffset.UtcNow));
        await Eventually(async s => await s.LoadAsync<PersonNameCopy>(personId) is not null
            && await s.LoadAsync<InvolvementRecord>(InvolvementRecord.KeyOf(personId, registeredBy, InvolvementKind.Registered, null)) is not null,
            "the person's registration in Referrals");
        return personId;
    }

    /// <summary>A grant of the person to the body; its consent id.</summary>
    protected async Task<Guid> Grant(Guid personId, Guid bodyId, string[]? categories = null, string purpose = Purposes.FollowUpCoordination,
        DateTimeOffset? validFrom = null, DateTimeOffset? validUntil = null)
    {
        var consentId = Guid.CreateVersion7();
        await Publish(new ConsentGranted(consentId, personId, bodyId, categories ?? FullCategories, purpose,
            validFrom ?? DateTimeOffset.UtcNow.AddDays(-1), validUntil ?? DateTimeOffset.UtcNow.AddYears(1), DateTimeOffset.UtcNow));
        await Eventually(async s => (await s.LoadAsync<GrantCopy>(consentId))?.Known == true, "the grant copy");
        return consentId;
    }

    protected async Task Revoke(Guid consentId, Guid personId, Guid bodyId)
    {
        await Publish(new ConsentRevoked(consentId, personId, bodyId, "person", DateTimeOffset.UtcNow));
        await Eventually(async s => (await s.LoadAsync<GrantCopy>(consentId))?.RevokedAt is not null, "the revocation");
    }

    protected async Task Expire(Guid consentId, Guid personId, Guid bodyId)
    {
        await Publish(new ConsentExpired(consentId, personId, bodyId, DateTimeOffset.UtcNow));
        await Eventually(async s => (await s.LoadAsync<GrantCopy>(consentId))?.ExpiredAt is not null, "the expiry");
    }

    protected async Task<Guid> ChooseCompanion(Guid personId, string login, string[] categories, string displayName = "Marc")
    {
        var companionId = Guid.CreateVersion7();
        await Publish(new CompanionChosen(companionId, personId, await SubjectOf(login), displayName, "peer_worker", true, false, categories, null,
            DateTimeOffset.UtcNow));
        await Eventually(async s => (await s.LoadAsync<CompanionCopy>(companionId))?.Known == true, "the companion copy");
        return companionId;
    }

    protected async Task RemoveCompanion(Guid companionId, Guid personId)
    {
        await Publish(new CompanionRemoved(companionId, personId, DateTimeOffset.UtcNow));
        await Eventually(async s => (await s.LoadAsync<CompanionCopy>(companionId))?.RemovedAt is not null, "the companion's removal");
    }

    /// <summary>A new body in the directory (no demo login belongs to it); its id.</summary>
    protected async Task<Guid> NewBody(string name, bool sensitive = false, string communeInsee = "11262")
    {
        var bodyId = Guid.CreateVersion7();
        await Publish(new Directory.Contracts.BodyRegistered(bodyId, name, "association", communeInsee, [communeInsee], sensitive, DateTimeOffset.UtcNow));
        await Eventually(async s => await s.LoadAsync<BodyCopy>(bodyId) is not null, "the body copy");
        return bodyId;
    }

    /// <summary>A person registered by the CCAS, with full follow-up grants to the given bodies.</summary>
    protected async Task<Guid> PersonWithGrants(params Guid[] bodies)
    {
        var personId = await NewPerson(Ccas);
        foreach (var body in bodies) await Grant(personId, body);
        return personId;
    }

    // ---- Referrals through the API ----

    protected async Task<Guid> SendReferral(string login, Guid personId, Guid toBodyId, object? extra = null)
    {
        using var client = await As(login);
        var body = new JsonObject { ["personId"] = personId, ["toBodyId"] = toBodyId, ["need"] = Need, ["reason"] = "Besoin d'aide pour le RSA" };
        if (extra is not null)
        {
            foreach (var (key, value) in JsonSerializer.SerializeToNode(extra, JsonSerializerOptions.Web)!.AsObject()) body[key] = value?.DeepClone();
        }
        var created = await Json(await Post(client, "referrals", body.ToJsonString()), HttpStatusCode.Created);
        return created["id"]!.GetValue<Guid>();
    }

    /// <summary>Runs a transition with the referral's current ETag; the answer.</summary>
    protected async Task<HttpResponseMessage> Transition(string login, Guid referralId, string action, object? body = null)
    {
        var version = await VersionOf(referralId);
        using var client = await As(login);
        return await Post(client, $"referrals/{referralId}/{action}", body, ifMatch: $"\"{version}\"");
    }

    protected async Task<long> VersionOf(Guid referralId)
    {
        await using var session = Store.QuerySession();
        return (await session.LoadAsync<ReferralDetails>(referralId))!.Version;
    }

    protected async Task<ReferralDetails> Details(Guid referralId)
    {
        await using var session = Store.QuerySession();
        return (await session.LoadAsync<ReferralDetails>(referralId))!;
    }

    /// <summary>How many access-log events Referrals appended for this person.</summary>
    protected Task<long> AccessEvents(Guid personId) => Fixture.Database.Scalar<long>(
        $"select count(*) from referrals.mt_events where type = 'person_data_read' and data ->> 'personId' = '{personId}'");

    protected async Task<JsonNode> LastAccessEvent(Guid personId) => JsonNode.Parse(await Fixture.Database.Scalar<string>(
        $"select data::text from referrals.mt_events where type = 'person_data_read' and data ->> 'personId' = '{personId}' order by seq_id desc limit 1") ?? "null")!;

    protected static IEnumerable<string> Strings(JsonNode? array) => array!.AsArray().Select(n => n!.GetValue<string>());
}
