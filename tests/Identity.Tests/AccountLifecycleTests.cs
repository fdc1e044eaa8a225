using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Consents.Contracts;
using Coordination.ServiceDefaults.Demo;
using Coordination.Testing;
using Directory.Contracts;
using Identity.Api.Demo;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Xunit;

namespace Identity.Tests;

/// <summary>Logins that follow Directory memberships and Consents activations, end to end through RabbitMQ.</summary>
[Collection(IdentityCollection.Name)]
public sealed class AccountLifecycleTests(IdentityFixture fixture)
{
    // Cross-service delivery: seconds normally, at most the held-hole cap (45 s, ADR 0008) plus margin.
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(60);

    private IBus Bus => fixture.Identity.Services.GetRequiredService<IBus>();

    private static JsonWebToken Read(string token) => new JsonWebTokenHandler().ReadJsonWebToken(token);

    private static string Sha256(string code) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code)));

    /// <summary>Directory's MemberJoined for a newcomer (a social worker of the body): the invitation link Identity sends.</summary>
    private async Task<Uri> Invited(Guid member, Guid body, string email, string displayName)
    {
        await Bus.Publish(new MemberJoined(member, body, email, displayName, "social_worker", DateOnly.FromDateTime(DateTime.UtcNow), DateTimeOffset.UtcNow),
            c => c.MessageId = Guid.CreateVersion7());
        await CoordinationFixture.AssertEventually(() => Task.FromResult(fixture.Invitations.Links.ContainsKey(email)), Delivery, "the invitation");
        return fixture.Invitations.Links[email];
    }

    private async Task<HttpResponseMessage> Activate(string code, string login, string password = "un mot de passe")
    {
        using var browser = fixture.Tokens.Browser();
        return await HtmlForms.Submit(browser, "account/activate", new Dictionary<string, string>
        {
            ["code"] = code, ["login"] = login, ["password"] = password, ["passwordConfirmation"] = password,
        });
    }

    [Fact]
    public async Task ActivationCode_CreatesAPersonLogin_OnceOnly()
    {
        var personId = Guid.CreateVersion7();
        const string code = "ABCD2345EF";
        await Bus.Publish(new PersonActivationIssued(personId, Sha256(code), DateTimeOffset.UtcNow.AddDays(30), DateTimeOffset.UtcNow));
        var login = "marie" + personId.ToString("N")[..6];

        HttpResponseMessage response = null!;
        await CoordinationFixture.AssertEventually(async () =>
        {
            // Typed as read aloud: lower case with spaces still counts.
            response = await Activate("abcd 2345 ef", login);
            return response.StatusCode == HttpStatusCode.OK;
        }, Delivery, "the activation code reaching Identity");
        Assert.Contains(login, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var jwt = Read((await fixture.Tokens.CodeFlow(login, "un mot de passe", "openid consents")).AccessToken!);
        Assert.Equal("person", jwt.GetClaim("role").Value);
        Assert.Equal(personId.ToString(), jwt.GetClaim("person_id").Value);

        var again = await Activate(code, login + "x");
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
    }

    [Fact]
    public async Task ExpiredActivationCode_IsRefused()
    {
        const string code = "QRST6789UV";
        var personId = Guid.CreateVersion7();
        await Bus.Publish(new PersonActivationIssued(personId, Sha256(code), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(-30)));
        await Task.Delay(1000);
        var response = await Activate(code, "late" + personId.ToString("N")[..6]);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("pas valable", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ActivationTries_AreLimitedPerCode()
    {
        // Wrong codes against one code value: the sixth try in the window is refused whatever it holds.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++) statuses.Add((await Activate("ZZZZ9999ZZ", "guess" + i)).StatusCode);
        Assert.All(statuses.Take(5), s => Assert.Equal(HttpStatusCode.BadRequest, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[5]);
    }

    [Fact]
    public async Task MemberJoined_InvitesANewProfessional_WhoseTokenCarriesBodyAndRole_UntilMemberLeft()
    {
        var (body, member) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var email = $"agent-{member:N}@caf.example";
        var link = await Invited(member, body, email, "Agent CAF");
        using (var browser = fixture.Tokens.Browser())
        {
            var set = await HtmlForms.Submit(browser, link.PathAndQuery.TrimStart('/'), new Dictionary<string, string>
            {
                ["password"] = "un long mot de passe", ["passwordConfirmation"] = "un long mot de passe",
            });
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        var tokens = await fixture.Tokens.CodeFlow(email, "un long mot de passe", "openid offline_access referrals");
        var jwt = Read(tokens.AccessToken!);
        Assert.Equal("social_worker", jwt.GetClaim("role").Value);
        Assert.Equal(body.ToString(), jwt.GetClaim("body_id").Value);

        await Bus.Publish(new MemberLeft(member, body, email, DateOnly.FromDateTime(DateTime.UtcNow), DateTimeOffset.UtcNow), c => c.MessageId = Guid.CreateVersion7());
        await CoordinationFixture.AssertEventually(async () => (await fixture.Tokens.Refresh(tokens.RefreshToken!)).IsError, Delivery, "refresh refused after MemberLeft");

        var after = Read((await fixture.Tokens.CodeFlow(email, "un long mot de passe", "openid referrals")).AccessToken!);
        Assert.False(after.TryGetClaim("body_id", out _));
        Assert.False(after.TryGetClaim("role", out _));
    }

    [Fact]
    public async Task DemoSeed_AfterTheMembershipInvitedTheSameLogin_GivesItTheDemoPassword_Once()
    {
        // On a new database Directory's demo memberships can reach Identity before the demo seed runs: the login
        // then exists as an invitation, without the documented password.
        var (body, member) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var email = $"demo-{member:N}@ccas.example";
        await Invited(member, body, email, "Démo Invitée");
        await Assert.ThrowsAsync<InvalidOperationException>(() => fixture.Tokens.CodeFlow(email, DemoData.Password, "openid referrals"));

        var store = fixture.Identity.Services.GetRequiredService<IDocumentStore>();
        var fresh = $"demo-new-{member:N}@ccas.example";
        DemoData.DemoLogin[] logins =
        [
            new(email, "Démo Invitée", "social_worker", body, null),
            new(fresh, "Démo Nouvelle", "coordinator", body, null),
        ];
        Assert.Equal((1, 1), await DemoAccounts.SeedAsync(store, logins, CancellationToken.None));

        var jwt = Read((await fixture.Tokens.CodeFlow(email, DemoData.Password, "openid referrals")).AccessToken!);
        Assert.Equal("social_worker", jwt.GetClaim("role").Value);
        Assert.Equal(body.ToString(), jwt.GetClaim("body_id").Value);
        Assert.Equal("coordinator", Read((await fixture.Tokens.CodeFlow(fresh, DemoData.Password, "openid referrals")).AccessToken!).GetClaim("role").Value);

        // A second start changes nothing, and a password the person chose is never replaced by the demo one.
        Assert.Equal((0, 0), await DemoAccounts.SeedAsync(store, logins, CancellationToken.None));
        var accounts = await fixture.Database.Scalar<long>(
            "select count(*) from identity.mt_doc_account where data ->> 'login' = '" + email + "'");
        Assert.Equal(1, accounts);
    }

    [Fact]
    public async Task MemberJoinedDeliveredTwice_AttachesTheMembershipOnce()
    {
        var body = Guid.CreateVersion7();
        var member = Guid.CreateVersion7();
        var email = $"twice-{member:N}@ccas.example";
        var message = new MemberJoined(member, body, email, "Deux Fois", "coordinator", DateOnly.FromDateTime(DateTime.UtcNow), DateTimeOffset.UtcNow);
        var messageId = Guid.CreateVersion7();
        await Bus.Publish(message, c => c.MessageId = messageId);
        await Bus.Publish(message, c => c.MessageId = messageId);

        await CoordinationFixture.AssertEventually(() => Task.FromResult(fixture.Invitations.Links.ContainsKey(email)), Delivery, "the invitation");
        await Task.Delay(1500);
        var attached = await fixture.Database.Scalar<long>(
            "select count(*) from identity.mt_events where type = 'membership_attached' and data ->> 'memberId' = '" + member + "'");
        Assert.Equal(1, attached);
        var accounts = await fixture.Database.Scalar<long>(
            "select count(*) from identity.mt_doc_account where data ->> 'login' = '" + email + "'");
        Assert.Equal(1, accounts);
    }

    [Fact]
    public async Task SigningKeys_SurviveARestart()
    {
        using var http = new HttpClient();
        var before = await http.GetStringAsync(new Uri(fixture.Tokens.Identity, ".well-known/jwks"));
        var token = await fixture.Tokens.Client(scope: "directory");

        // A second Identity process on the same key folder publishes the same keys, so a token survives a restart.
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = fixture.Database.ConnectionString,
            ["ConnectionStrings:Identity"] = fixture.Database.IdentityConnectionString,
            ["ConnectionStrings:RabbitMq"] = fixture.Vhost.AmqpUri.ToString(),
            ["Identity:Issuer"] = fixture.Issuer,
            ["Identity:KeysPath"] = CoordinationFixture.KeysPath,
            ["Identity:AllowHttp"] = "true",
            ["Auth:Authority"] = fixture.Issuer,
        };
        await using var restarted = new ServiceHost<Identity.Api.IdentityApi>("identity-2", 0, settings);
        await restarted.StartAsync();
        var after = await http.GetStringAsync(new Uri(restarted.BaseAddress, ".well-known/jwks"));

        Assert.Equal(Kids(before), Kids(after));
        Assert.Contains(Read(token).Kid, Kids(after));
    }

    private static string[] Kids(string jwks) =>
        JsonDocument.Parse(jwks).RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!).Order().ToArray();
}
