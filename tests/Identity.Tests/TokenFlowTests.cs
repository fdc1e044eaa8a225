using System.Net;
using Coordination.ServiceDefaults.Demo;
using Coordination.Testing;
using Duende.IdentityModel.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using Xunit;

namespace Identity.Tests;

/// <summary>The OAuth flows people and partner systems use, against the real OpenIddict server over HTTP.</summary>
[Collection(IdentityCollection.Name)]
public sealed class TokenFlowTests(IdentityFixture fixture)
{
    private static JsonWebToken Read(string token) => new JsonWebTokenHandler().ReadJsonWebToken(token);

    [Fact]
    public async Task CodeFlowWithPkce_IssuesAFiveMinuteSignedTokenWithBodyAndRole()
    {
        var response = await fixture.Tokens.CodeFlow("social-worker@demo", "demo", "openid offline_access referrals");

        var jwt = Read(response.AccessToken!);
        Assert.Equal("RS256", jwt.Alg);
        Assert.Equal(fixture.Issuer, jwt.Issuer);
        Assert.Equal("social_worker", jwt.GetClaim("role").Value);
        Assert.Equal(DemoData.CcasNarbonne.ToString(), jwt.GetClaim("body_id").Value);
        Assert.False(jwt.TryGetClaim("person_id", out _));
        Assert.Contains("referrals", jwt.Audiences);
        Assert.Equal(TimeSpan.FromMinutes(5), jwt.ValidTo - jwt.IssuedAt);
        Assert.Contains("referrals", jwt.GetClaim("scope").Value.Split(' '));
        Assert.NotNull(response.RefreshToken);
        Assert.NotNull(response.IdentityToken);
    }

    [Fact]
    public async Task PersonLogin_CarriesPersonIdAndNoBody()
    {
        var jwt = Read((await fixture.Tokens.CodeFlow("person@demo", "demo", "openid consents")).AccessToken!);
        Assert.Equal("person", jwt.GetClaim("role").Value);
        Assert.Equal(DemoData.Person.ToString(), jwt.GetClaim("person_id").Value);
        Assert.False(jwt.TryGetClaim("body_id", out _));
    }

    [Fact]
    public async Task ClientCredentialsThroughDiscovery_IssuesAnAdminTokenForDemoPartner()
    {
        var response = await fixture.Tokens.ClientCredentials("demo-partner", "demo-partner-secret", "directory");
        Assert.False(response.IsError, response.Error);
        var jwt = Read(response.AccessToken!);
        Assert.Equal("demo-partner", jwt.Subject);
        Assert.Equal("admin", jwt.GetClaim("role").Value);
        Assert.Equal("directory", jwt.GetClaim("scope").Value);
    }

    [Fact]
    public async Task ClientCredentialsWithAWrongSecret_IsRefused()
    {
        var response = await fixture.Tokens.ClientCredentials("demo-partner", "not-the-secret", "directory");
        Assert.True(response.IsError);
        Assert.Equal(HttpStatusCode.Unauthorized, response.HttpStatusCode);
        Assert.Null(response.AccessToken);
    }

    [Fact]
    public async Task PasswordGrant_IsRefused()
    {
        var disco = await fixture.Tokens.Discovery();
        using var http = new HttpClient();
        var response = await http.RequestPasswordTokenAsync(new PasswordTokenRequest
        {
            Address = disco.TokenEndpoint, ClientId = "demo-spa", UserName = "social-worker@demo", Password = "demo", Scope = "referrals",
        });
        Assert.True(response.IsError);
        Assert.Equal("unsupported_grant_type", response.Error);
        Assert.DoesNotContain("password", disco.GrantTypesSupported);
        Assert.DoesNotContain("implicit", disco.GrantTypesSupported);
    }

    [Theory]
    [InlineData("code", null, null)]          // no PKCE at all
    [InlineData("code", "plain", "abc")]      // PKCE without hashing
    [InlineData("token", "S256", "x")]        // implicit
    [InlineData("id_token token", "S256", "x")]
    public async Task AuthorizationRequest_WithoutS256PkceOrForAnImplicitFlow_IsRefused(string responseType, string? method, string? challenge)
    {
        using var browser = fixture.Tokens.Browser();
        var url = new RequestUrl(new Uri(fixture.Tokens.Identity, "connect/authorize").ToString()).CreateAuthorizeUrl(
            clientId: "demo-spa", responseType: responseType, scope: "openid referrals", redirectUri: "http://127.0.0.1:5199/callback",
            state: "s", nonce: "n", codeChallenge: challenge, codeChallengeMethod: method);

        var response = await browser.GetAsync(new Uri(url));

        // Either an error page or a redirect to the client carrying the error — never the login page, never a code.
        var location = response.Headers.Location?.ToString() ?? "";
        Assert.DoesNotContain("/account/login", location, StringComparison.Ordinal);
        Assert.DoesNotContain("code=", location, StringComparison.Ordinal);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest || location.Contains("error=", StringComparison.Ordinal),
            $"{(int)response.StatusCode} {location}");
    }

    [Fact]
    public async Task RefreshToken_GivesANewAccessToken()
    {
        var first = await fixture.Tokens.CodeFlow("coordinator@demo", "demo", "openid offline_access directory");
        var refreshed = await fixture.Tokens.Refresh(first.RefreshToken!);
        Assert.False(refreshed.IsError, refreshed.Error);
        Assert.Equal("coordinator", Read(refreshed.AccessToken!).GetClaim("role").Value);
    }

    [Fact]
    public async Task WrongPassword_GetsTheSameAnswerAsAnUnknownLogin()
    {
        using var browser = fixture.Tokens.Browser();
        var wrong = await HtmlForms.Submit(browser, "account/login", new Dictionary<string, string> { ["login"] = "social-worker@demo", ["password"] = "nope" });
        var unknown = await HtmlForms.Submit(browser, "account/login", new Dictionary<string, string> { ["login"] = "nobody@demo", ["password"] = "nope" });

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Contains("Identifiant ou mot de passe incorrect.", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("Identifiant ou mot de passe incorrect.", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(wrong.Headers.Location);
    }

    [Fact]
    public async Task LoginPage_IsPlainFrenchHtmlWithoutScript_AndNeverRedirectsOffSite()
    {
        using var browser = fixture.Tokens.Browser();
        var page = await browser.GetAsync(new Uri("account/login?returnUrl=https://evil.example/", UriKind.Relative));
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<html lang=\"fr\">", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("evil.example", html, StringComparison.Ordinal);

        var login = await HtmlForms.Submit(browser, "account/login?returnUrl=//evil.example/", new Dictionary<string, string>
        {
            ["login"] = "social-worker@demo", ["password"] = "demo", ["returnUrl"] = "//evil.example/",
        });
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/", login.Headers.Location!.ToString());
    }
}
