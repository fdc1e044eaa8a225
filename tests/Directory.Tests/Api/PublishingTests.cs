using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Coordination.ServiceDefaults.Demo;
using Coordination.ServiceDefaults.Messaging;
using Coordination.Testing;
using Directory.Api.Demo;
using Identity.Api.Accounts;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Directory.Tests.Api;

/// <summary>
/// The contracts leave through the outbox and reach a consumer: Identity, which takes body and role from
/// MemberJoined and revokes refresh tokens on MemberLeft.
/// </summary>
[Collection(DirectoryCollection.Name)]
public sealed class PublishingTests(DirectoryFixture fixture) : ApiTest(fixture)
{
    // Cross-service delivery: seconds normally, at most the held-hole cap (45 s, ADR 0008) plus margin.
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(60);
    private const string Volunteer = "volunteer@demo";

    [Fact]
    public async Task EveryCommand_IsPublishedByTheOutbox_AfterItsCommit()
    {
        var bodyId = await NewBody();
        using var admin = await Admin();
        await Json(await Send(admin, HttpMethod.Patch, $"bodies/{bodyId}", """{"description":"Accueil social"}""", ifMatch: "\"1\""), HttpStatusCode.OK);
        var service = (await Json(await Send(admin, HttpMethod.Post, $"bodies/{bodyId}/services",
            new { name = "Écoute", description = "Un temps d'écoute." }), HttpStatusCode.Created))["id"]!.GetValue<Guid>();
        await Json(await Send(admin, HttpMethod.Put, $"bodies/{bodyId}/services/{service}/capacity", new { status = "full" }, ifMatch: "\"1\""), HttpStatusCode.OK);
        await Json(await Send(admin, HttpMethod.Post, $"bodies/{bodyId}/places", new { name = "Accueil", address = new { communeInsee = "11262" } }), HttpStatusCode.Created);
        var member = (await Json(await Send(admin, HttpMethod.Post, $"bodies/{bodyId}/members",
            new { email = $"{Guid.NewGuid():N}@example.org", displayName = "Léa", role = "coordinator" }), HttpStatusCode.Created))["id"]!.GetValue<Guid>();
        await Json(await Send(admin, HttpMethod.Put, $"bodies/{bodyId}/partner-contact", new { memberId = member }, ifMatch: "\"2\""), HttpStatusCode.OK);

        var types = await Fixture.Database.Scalar<string>(
            $"select string_agg(type, ',' order by seq_id) from directory.mt_events where stream_id in ('{bodyId}', '{service}', '{member}')");
        Assert.Equal("body_registered,body_updated,service_listed,service_capacity_changed,member_joined,partner_contact_designated", types);
        var last = await Fixture.Database.Scalar<long>("select max(seq_id) from directory.mt_events");
        await CoordinationFixture.AssertEventually(async () => await PublisherProgress() >= last, Delivery, "the outbox publishing up to the last event");
    }

    [Fact]
    public async Task MemberJoined_GivesTheLoginItsBodyAndRole_AndMemberLeft_RefusesItsRefreshToken()
    {
        var seeded = DemoSeed.MemberIdOf(Volunteer);
        await CoordinationFixture.AssertEventually(async () => (await Account(Volunteer))?.MemberId == seeded, Delivery,
            "Identity attaching the seeded membership");
        var tokens = await Fixture.Tokens.CodeFlow(Volunteer, DemoData.Password, "openid offline_access directory");
        Assert.False(string.IsNullOrEmpty(tokens.RefreshToken));

        using var admin = await Admin();
        await Json(await Send(admin, HttpMethod.Delete, $"bodies/{DemoData.AssociationPairs}/members/{seeded}", ifMatch: "\"1\""), HttpStatusCode.OK);
        await CoordinationFixture.AssertEventually(async () => (await Fixture.Tokens.Refresh(tokens.RefreshToken!)).IsError, Delivery,
            "the refresh token being refused after MemberLeft");

        var joined = await Json(await Send(admin, HttpMethod.Post, $"bodies/{Caf}/members",
            new { email = Volunteer, displayName = "Alice Garnier (CAF)", role = "social_worker" }), HttpStatusCode.Created);
        var memberId = joined["id"]!.GetValue<Guid>();
        await CoordinationFixture.AssertEventually(async () => (await Account(Volunteer))?.MemberId == memberId, Delivery, "Identity attaching the new membership");

        var fresh = await Fixture.Tokens.CodeFlow(Volunteer, DemoData.Password, "openid directory");
        var claims = Claims(fresh.AccessToken!);
        Assert.Equal(Caf.ToString(), claims["body_id"]!.GetValue<string>());
        Assert.Equal("social_worker", claims["role"]!.GetValue<string>());

        // The new token opens what a CAF social worker may do, and nothing of the body they left.
        using var client = Fixture.Client(Fixture.Directory, fresh.AccessToken);
        var (_, members) = await Get(client, $"bodies/{Caf}/members");
        Assert.Contains(members["items"]!.AsArray(), m => m!["id"]!.GetValue<Guid>() == memberId);
    }

    private async Task<Account?> Account(string login)
    {
        await using var session = Fixture.Identity.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.Query<Account>().FirstOrDefaultAsync(a => a.Login == login);
    }

    private static JsonNode Claims(string jwt)
    {
        var payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
        return JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)))!;
    }

    private async Task<long> PublisherProgress() =>
        await Fixture.Database.Scalar<long?>(
            $"select last_seq_id from directory.mt_event_progression where name like '{ContractPublisher.SubscriptionName}%'") ?? 0;
}
