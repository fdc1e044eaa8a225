using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Coordination.ServiceDefaults.Demo;
using Coordination.Testing;
using Duende.IdentityModel.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;
using Xunit.Abstractions;

namespace Security.Tests;

/// <summary>
/// Every service refuses what is not a valid access token from the configured issuer for its audience (401), on every
/// secured operation of its OpenAPI document, and a valid token without its scope (403). Crafted tokens are signed with
/// Identity's real key, so the only thing wrong with each is the thing under test; the same token with nothing wrong is
/// accepted on every route (the control). Identity itself serves no secured API: its userinfo endpoint is checked, and its
/// token endpoint refuses the password and implicit grants, authorization requests without S256 PKCE, and a refresh
/// after the membership ended.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class TokenTests(SecurityFixture fixture, ITestOutputHelper output)
{
    private static readonly X509Certificate2 Signing =
        X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(CoordinationFixture.KeysPath, "signing.pfx"), null);

    /// <summary>A key of the same size and key id as Identity's, made once: generating one per route takes minutes on a busy machine.</summary>
    private static readonly Lazy<RsaSecurityKey> AnotherKey = new(() => new RsaSecurityKey(RSA.Create(2048)) { KeyId = new X509SecurityKey(Signing).KeyId });

    public static TheoryData<string> Flaws() => new()
    {
        "none", "expired", "not-yet-valid", "wrong-issuer", "wrong-audience", "alg-none", "another-key", "tampered-payload",
        "hmac-with-public-key", "identity-token", "no-signature",
    };

    /// <summary>A professional of the CCAS, as a token would carry them, valid for <paramref name="audience"/>.</summary>
    private string Craft(string audience, string scope, string? issuer = null, DateTime? expires = null, DateTime? notBefore = null,
        SigningCredentials? credentials = null)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? fixture.Issuer,
            Audience = audience,
            IssuedAt = now.AddMinutes(-20),
            NotBefore = notBefore ?? now.AddMinutes(-20),
            Expires = expires ?? now.AddMinutes(5),
            TokenType = "at+jwt",
            Subject = new ClaimsIdentity(
            [
                new Claim("sub", Guid.CreateVersion7().ToString()), new Claim("name", "Jeton fabriqué"), new Claim("role", "social_worker"),
                new Claim("body_id", DemoData.CcasNarbonne.ToString()), new Claim("scope", scope),
            ]),
            SigningCredentials = credentials ?? new SigningCredentials(new X509SecurityKey(Signing), SecurityAlgorithms.RsaSha256),
        });
    }

    private static string B64(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));

    private string Flawed(string flaw, string service)
    {
        var now = DateTime.UtcNow;
        // The scope the route asks for, so that the flaw is the only thing wrong: userinfo (Identity) asks for openid.
        var scope = service == "identity" ? "openid" : service;
        switch (flaw)
        {
            case "none": return "";
            case "expired": return Craft(service, scope, expires: now.AddMinutes(-10));
            case "not-yet-valid": return Craft(service, scope, notBefore: now.AddMinutes(10), expires: now.AddMinutes(20));
            case "wrong-issuer": return Craft(service, scope, issuer: "http://127.0.0.1:1/");
            case "wrong-audience": return Craft("another-api", scope);
            case "alg-none":
                var exp = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();
                return B64("{\"alg\":\"none\",\"typ\":\"at+jwt\"}") + "." + B64(
                    $"{{\"iss\":\"{fixture.Issuer}\",\"aud\":\"{service}\",\"sub\":\"{Guid.CreateVersion7()}\",\"role\":\"social_worker\"," +
                    $"\"body_id\":\"{DemoData.CcasNarbonne}\",\"scope\":\"{scope}\",\"exp\":{exp}}}") + ".";
            case "another-key":
                return Craft(service, scope, credentials: new SigningCredentials(AnotherKey.Value, SecurityAlgorithms.RsaSha256));
            case "tampered-payload":
                // A real token of the CAF agent, made a coordinator of the CCAS after signing.
                var real = fixture.Scenario.Actor("social-worker-uninvolved").Token!.Split('.');
                var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(real[1]))
                    .Replace("\"social_worker\"", "\"coordinator\"", StringComparison.Ordinal)
                    .Replace(DemoData.CafAude.ToString(), DemoData.CcasNarbonne.ToString(), StringComparison.Ordinal);
                return real[0] + "." + Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payload)) + "." + real[2];
            case "hmac-with-public-key":
                // Algorithm confusion: HS256 keyed with the public key a client can download from the JWKS.
                var hmac = new SymmetricSecurityKey(Signing.GetRSAPublicKey()!.ExportSubjectPublicKeyInfo()) { KeyId = new X509SecurityKey(Signing).KeyId };
                return Craft(service, scope, credentials: new SigningCredentials(hmac, SecurityAlgorithms.HmacSha256));
            case "identity-token":
                return fixture.Scenario.IdentityTokenOfA;
            case "no-signature":
                var parts = Craft(service, scope).Split('.');
                return parts[0] + "." + parts[1] + ".";
            default: throw new ArgumentOutOfRangeException(nameof(flaw), flaw, null);
        }
    }

    /// <summary>Every secured operation of every service, called on unknown ids with a minimal body.</summary>
    private async Task<IReadOnlyList<(Operation Op, Request Request)>> SecuredRoutes()
    {
        var catalog = await ApiCatalog.LoadAsync(fixture.Http);
        var routes = catalog.Operations.Where(op => op.Secured)
            .Select(op => (op, new Request(op.Service, op.HttpMethod, op.Fill(_ => Guid.CreateVersion7().ToString())!,
                op.BodyContentTypes.Count > 0 ? "{}"u8.ToArray() : null, op.BodyContentTypes.Count > 0 ? "application/json" : null)))
            .ToList();
        Assert.Equal(["appointments", "consents", "directory", "referrals"], routes.Select(r => r.op.Service).Distinct().Order());
        return routes;
    }

    [Fact]
    public async Task CraftedTokenWithNothingWrong_IsAcceptedOnEverySecuredRoute()
    {
        var failures = new List<string>();
        foreach (var (op, request) in await SecuredRoutes())
        {
            var answer = await fixture.Http.Send(request, Craft(op.Service, op.Service));
            if (answer.Status is 401 or >= 500) failures.Add($"{request} → {answer}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [MemberData(nameof(Flaws))]
    public async Task FlawedToken_Is401OnEverySecuredRoute(string flaw)
    {
        var routes = await SecuredRoutes();
        var failures = new List<string>();
        foreach (var (op, request) in routes)
        {
            var token = Flawed(flaw, op.Service);
            var answer = await fixture.Http.Send(request, token.Length == 0 ? null : token);
            if (answer.Status != 401 || !answer.IsProblem) failures.Add($"{request} → {answer}");
        }
        output.WriteLine($"{flaw}: {routes.Count} secured routes");
        Assert.True(failures.Count == 0, $"{flaw} accepted or mis-answered:\n" + string.Join("\n", failures));
    }

    [Fact]
    public async Task ValidTokenWithoutTheServiceScope_Is403OnEverySecuredRoute()
    {
        var failures = new List<string>();
        var clientCredentials = new Dictionary<string, string>();
        foreach (var (op, request) in await SecuredRoutes())
        {
            var other = op.Service == "consents" ? "directory" : "consents";
            // A professional's token for this audience with another scope; and a real client token with another scope.
            var crafted = await fixture.Http.Send(request, Craft(op.Service, other));
            if (!clientCredentials.TryGetValue(other, out var real)) clientCredentials[other] = real = await fixture.Tokens.Client(scope: other);
            var genuine = await fixture.Http.Send(request, real);
            if (crafted.Status != 403 || !crafted.IsProblem) failures.Add($"crafted, scope {other}: {request} → {crafted}");
            if (genuine.Status != 403 || !genuine.IsProblem) failures.Add($"demo-partner, scope {other}: {request} → {genuine}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [MemberData(nameof(Flaws))]
    public async Task IdentityUserInfo_RefusesFlawedTokens(string flaw)
    {
        var token = Flawed(flaw, "identity");
        var answer = await fixture.Http.Send(new Request("identity", HttpMethod.Get, "connect/userinfo"), token.Length == 0 ? null : token);
        Assert.True(answer.Status == 401, $"{flaw}: {answer}");
        var real = await fixture.Http.Send(new Request("identity", HttpMethod.Get, "connect/userinfo"), fixture.Scenario.Actor("person-a"));
        Assert.Equal(200, real.Status);
    }

    /// <summary>
    /// Userinfo is OpenID Connect's: it answers an access token granted the openid scope (OpenID Connect Core 5.3), and a
    /// valid token without it gets 403 insufficient_scope (RFC 6750 3.1; DESIGN §4: 403 when the route is closed to the
    /// caller's scope), not the account's claims. Both tokens are real ones from Identity: a professional's code flow asked
    /// for referrals only (Referrals accepts it: the control), and a partner client's client credentials.
    /// </summary>
    [Fact]
    public async Task IdentityUserInfo_WithoutTheOpenIdScope_Is403()
    {
        var professional = fixture.Scenario.AccessTokenWithoutOpenId;
        var control = await fixture.Http.Send(new Request("referrals", HttpMethod.Get, $"referrals/{Guid.CreateVersion7()}"), professional);
        Assert.True(control.Status == 404, $"the token without openid is not a valid Referrals token: {control}");
        var failures = new List<string>();
        foreach (var (who, token) in new[] { ("a professional's token for referrals only", professional), ("a client-credentials token", await fixture.Tokens.Client()) })
        {
            foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post })
            {
                var answer = await fixture.Http.Send(method == HttpMethod.Get
                    ? new Request("identity", method, "connect/userinfo")
                    : new Request("identity", method, "connect/userinfo", [], "application/x-www-form-urlencoded"), token);
                var error = answer.Challenge?.Contains("insufficient_scope", StringComparison.Ordinal) == true
                    || answer.Json()?["error"]?.ToString() == "insufficient_scope";
                if (answer.Status != 403 || !error) failures.Add($"{who}, {method}: {answer} (challenge: {answer.Challenge})");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task TokenEndpoint_RefusesThePasswordGrant()
    {
        var disco = await fixture.Tokens.Discovery();
        Assert.DoesNotContain("password", disco.GrantTypesSupported);
        Assert.DoesNotContain("implicit", disco.GrantTypesSupported);
        using var http = new HttpClient();
        foreach (var (client, secret) in new[] { ("demo-spa", (string?)null), ("demo-partner", "demo-partner-secret") })
        {
            var response = await http.RequestPasswordTokenAsync(new PasswordTokenRequest
            {
                Address = disco.TokenEndpoint, ClientId = client, ClientSecret = secret, UserName = "social-worker@demo", Password = "demo",
                Scope = "referrals",
            });
            Assert.True(response.IsError, $"{client}: a password grant was answered with a token");
            Assert.Null(response.AccessToken);
        }
    }

    [Fact]
    public async Task TokenEndpoint_RefusesClientCredentialsForAPublicClient()
    {
        var disco = await fixture.Tokens.Discovery();
        using var http = new HttpClient();
        var response = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = disco.TokenEndpoint, ClientId = "demo-spa", Scope = "referrals",
        });
        Assert.True(response.IsError);
        Assert.Null(response.AccessToken);
    }

    [Theory]
    [InlineData("code", null, null)]            // no PKCE
    [InlineData("code", "plain", "verifier-in-clear-verifier-in-clear-00")] // PKCE without hashing
    [InlineData("token", "S256", "x")]          // implicit
    [InlineData("id_token token", "S256", "x")] // implicit, OpenID flavour
    [InlineData("code token", "S256", "x")]     // hybrid
    public async Task AuthorizationRequest_WithoutS256PkceOrImplicit_IsRefused(string responseType, string? method, string? challenge)
    {
        using var browser = fixture.Tokens.Browser();
        var url = new RequestUrl(new Uri(fixture.Tokens.Identity, "connect/authorize").ToString()).CreateAuthorizeUrl(
            clientId: "demo-spa", responseType: responseType, scope: "openid referrals", redirectUri: "http://127.0.0.1:5199/callback",
            state: "s", nonce: "n", codeChallenge: challenge, codeChallengeMethod: method);

        var response = await browser.GetAsync(new Uri(url));

        // An error page or the client's redirect carrying the error: never the login page, never a code or a token.
        var location = response.Headers.Location?.ToString() ?? "";
        Assert.DoesNotContain("/account/login", location, StringComparison.Ordinal);
        Assert.DoesNotContain("code=", location, StringComparison.Ordinal);
        Assert.DoesNotContain("access_token=", location, StringComparison.Ordinal);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest || location.Contains("error=", StringComparison.Ordinal),
            $"{(int)response.StatusCode} {location}");
    }

    [Fact]
    public async Task RefreshAfterMemberLeft_IsRefused()
    {
        var leaver = fixture.Scenario.Leaver;
        // Before: the refresh token works (and rotates).
        var refreshed = await fixture.Tokens.Refresh(leaver.RefreshToken);
        Assert.False(refreshed.IsError, refreshed.Error);
        var token = refreshed.RefreshToken ?? leaver.RefreshToken;

        // The CAF's membership ends through Directory's API; Identity hears of it through MemberLeft.
        var admin = fixture.Scenario.Actor("admin-client");
        var path = $"bodies/{DemoData.CafAude}/members/{leaver.MemberId}";
        var member = await fixture.Http.Send(new Request("directory", HttpMethod.Get, path), admin);
        Assert.Equal(200, member.Status);
        var removed = await fixture.Http.Send(new Request("directory", HttpMethod.Delete, path,
            Headers: [KeyValuePair.Create("If-Match", member.ETag!)]), admin);
        Assert.Equal(200, removed.Status);

        await CoordinationFixture.AssertEventually(async () => (await fixture.Tokens.Refresh(token)).IsError, SecurityFixture.Delivery,
            "refresh refused after MemberLeft");
        var after = await fixture.Tokens.Refresh(token);
        Assert.Null(after.AccessToken);
        Assert.Equal("invalid_grant", after.Error);
    }
}
