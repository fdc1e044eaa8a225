using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Coordination.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace Platform.Tests;

/// <summary>
/// Every service refuses what is not a valid token from the configured issuer for its audience (401), and a
/// valid token without its scope (403). Crafted tokens are signed with Identity's real key, so the only thing
/// wrong with each is the thing under test; a crafted token with nothing wrong is accepted (the control).
/// </summary>
public sealed class TokenValidationTests(AllServicesFixture fixture) : IClassFixture<AllServicesFixture>
{
    /// <summary>One protected route per service: an unknown id, so an accepted token gets 404.</summary>
    public static TheoryData<string, string, string> Routes() => new()
    {
        { "directory", "directory", $"bodies/{Guid.Empty}" },
    };

    private static readonly X509Certificate2 Signing =
        X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(CoordinationFixture.KeysPath, "signing.pfx"), null);

    private string Craft(string audience, string scope, string? issuer = null, DateTime? expires = null, DateTime? notBefore = null,
        SecurityKey? key = null)
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
            Subject = new ClaimsIdentity([new Claim("sub", "demo-partner"), new Claim("role", "admin"), new Claim("scope", scope)]),
            SigningCredentials = new SigningCredentials(key ?? new X509SecurityKey(Signing), SecurityAlgorithms.RsaSha256),
        });
    }

    private async Task<HttpStatusCode> Call(string service, string route, string? token)
    {
        using var client = fixture.Client(fixture.Host(service));
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await client.GetAsync(new Uri(route, UriKind.Relative))).StatusCode;
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task CraftedTokenWithNothingWrong_IsAccepted(string service, string scope, string route) =>
        Assert.Equal(HttpStatusCode.NotFound, await Call(service, route, Craft(service, scope)));

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task RealToken_IsAccepted(string service, string scope, string route) =>
        Assert.Equal(HttpStatusCode.NotFound, await Call(service, route, await fixture.Tokens.Client(scope: scope)));

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task NoToken_Is401(string service, string scope, string route)
    {
        _ = scope;
        Assert.Equal(HttpStatusCode.Unauthorized, await Call(service, route, null));
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task ExpiredToken_Is401(string service, string scope, string route) =>
        Assert.Equal(HttpStatusCode.Unauthorized, await Call(service, route, Craft(service, scope, expires: DateTime.UtcNow.AddMinutes(-10))));

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task NotYetValidToken_Is401(string service, string scope, string route) =>
        Assert.Equal(HttpStatusCode.Unauthorized, await Call(service, route,
            Craft(service, scope, notBefore: DateTime.UtcNow.AddMinutes(10), expires: DateTime.UtcNow.AddMinutes(20))));

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task WrongIssuer_Is401(string service, string scope, string route) =>
        Assert.Equal(HttpStatusCode.Unauthorized, await Call(service, route, Craft(service, scope, issuer: "http://127.0.0.1:1/")));

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task WrongAudience_Is401(string service, string scope, string route) =>
        Assert.Equal(HttpStatusCode.Unauthorized, await Call(service, route, Craft("another-api", scope)));

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task AnotherKeysSignature_Is401(string service, string scope, string route)
    {
        using var rsa = RSA.Create(2048);
        var key = new RsaSecurityKey(rsa) { KeyId = new X509SecurityKey(Signing).KeyId };
        Assert.Equal(HttpStatusCode.Unauthorized, await Call(service, route, Craft(service, scope, key: key)));
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task AlgNone_Is401(string service, string scope, string route)
    {
        static string B64(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        var exp = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();
        var token = B64("{\"alg\":\"none\",\"typ\":\"at+jwt\"}") + "." +
            B64($"{{\"iss\":\"{fixture.Issuer}\",\"aud\":\"{service}\",\"sub\":\"demo-partner\",\"role\":\"admin\",\"scope\":\"{scope}\",\"exp\":{exp}}}") + ".";
        Assert.Equal(HttpStatusCode.Unauthorized, await Call(service, route, token));
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task TamperedPayload_Is401(string service, string scope, string route)
    {
        var real = await fixture.Tokens.Client(scope: scope);
        var parts = real.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("\"admin\"", "\"coordinator\"", StringComparison.Ordinal);
        var tampered = parts[0] + "." + Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payload)) + "." + parts[2];
        Assert.Equal(HttpStatusCode.Unauthorized, await Call(service, route, tampered));
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task RealTokenWithoutTheServiceScope_Is403(string service, string scope, string route)
    {
        var other = scope == "consents" ? "directory" : "consents";
        Assert.Equal(HttpStatusCode.Forbidden, await Call(service, route, await fixture.Tokens.Client(scope: other)));
    }
}
