using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Duende.IdentityModel.Client;

namespace Coordination.Testing;

/// <summary>
/// Real tokens from the real Identity service: client credentials through its discovery document with a
/// third-party client, and the authorization code + PKCE flow driven over HTTP through the login form.
/// </summary>
public sealed partial class Tokens(Uri identity)
{
    public const string AllApiScopes = "directory consents referrals appointments";
    private readonly Dictionary<string, Task<(string Token, DateTimeOffset Expires)>> _cache = new();
    private readonly Lock _cacheLock = new();

    public Uri Identity { get; } = identity;

    public async Task<DiscoveryDocumentResponse> Discovery()
    {
        using var http = new HttpClient();
        var disco = await http.GetDiscoveryDocumentAsync(new DiscoveryDocumentRequest
        {
            Address = Identity.ToString(),
            Policy = { RequireHttps = false },
        });
        if (disco.IsError) throw new InvalidOperationException("Discovery failed: " + disco.Error);
        return disco;
    }

    public Task<string> Client(string clientId = "demo-partner", string secret = "demo-partner-secret", string scope = AllApiScopes) =>
        Cached($"client|{clientId}|{scope}", async () =>
        {
            var response = await ClientCredentials(clientId, secret, scope);
            if (response.IsError) throw new InvalidOperationException($"Client credentials for {clientId} failed: {response.Error} {response.ErrorDescription}");
            return (response.AccessToken!, DateTimeOffset.UtcNow.AddSeconds(response.ExpiresIn));
        });

    public async Task<TokenResponse> ClientCredentials(string clientId, string secret, string scope)
    {
        var disco = await Discovery();
        using var http = new HttpClient();
        return await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = disco.TokenEndpoint,
            ClientId = clientId,
            ClientSecret = secret,
            Scope = scope,
        });
    }

    /// <summary>An access token for a login (password "demo" for the demo logins), via code + PKCE.</summary>
    public Task<string> User(string login, string password = "demo", string scope = AllApiScopes) =>
        Cached($"user|{login}|{scope}", async () =>
        {
            // Identity takes 20 logins a minute from one address (a guard against password guessing): a caller that logs
            // many users in, like the benchmark, waits for the next window as a person would.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var response = await CodeFlow(login, password, "openid offline_access " + scope);
                    return (response.AccessToken!, DateTimeOffset.UtcNow.AddSeconds(response.ExpiresIn));
                }
                catch (LoginThrottledException) when (attempt < 10)
                {
                    await Task.Delay(TimeSpan.FromSeconds(10));
                }
            }
        });

    /// <summary>
    /// The whole authorization code flow as a browser would do it: authorize → login form (with its
    /// antiforgery token) → authorize again → redirect with the code → token request with the PKCE verifier.
    /// </summary>
    public async Task<TokenResponse> CodeFlow(string login, string password, string scope, string clientId = "demo-spa",
        string redirectUri = "http://127.0.0.1:5199/callback")
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var state = Guid.NewGuid().ToString("N");
        using var browser = Browser();

        var authorize = new RequestUrl(new Uri(Identity, "connect/authorize").ToString()).CreateAuthorizeUrl(
            clientId: clientId, responseType: "code", scope: scope, redirectUri: redirectUri, state: state,
            codeChallenge: challenge, codeChallengeMethod: "S256");
        var toLogin = await browser.GetAsync(new Uri(authorize));
        Expect(toLogin, HttpStatusCode.Redirect);

        var loginPage = await browser.GetAsync(toLogin.Headers.Location);
        var html = await loginPage.Content.ReadAsStringAsync();
        var antiforgery = AntiforgeryField().Match(html);
        var returnUrl = ReturnUrlField().Match(html);
        if (!antiforgery.Success || !returnUrl.Success) throw new InvalidOperationException("The login page has no form: " + html);

        var submitted = await browser.PostAsync(new Uri(Identity, "account/login"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [antiforgery.Groups["name"].Value] = WebUtility.HtmlDecode(antiforgery.Groups["value"].Value),
            ["returnUrl"] = WebUtility.HtmlDecode(returnUrl.Groups["value"].Value),
            ["login"] = login,
            ["password"] = password,
        }));
        if (submitted.StatusCode == HttpStatusCode.TooManyRequests) throw new LoginThrottledException(login);
        if (submitted.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Login of {login} refused: {(int)submitted.StatusCode}");
        }

        var toCallback = await browser.GetAsync(new Uri(Identity, submitted.Headers.Location!));
        Expect(toCallback, HttpStatusCode.Redirect);
        var callback = new AuthorizeResponse(toCallback.Headers.Location!.ToString());
        if (callback.IsError) throw new InvalidOperationException("Authorization failed: " + callback.Error);
        if (callback.State != state) throw new InvalidOperationException("The state came back changed.");

        var disco = await Discovery();
        using var http = new HttpClient();
        var tokens = await http.RequestAuthorizationCodeTokenAsync(new AuthorizationCodeTokenRequest
        {
            Address = disco.TokenEndpoint,
            ClientId = clientId,
            Code = callback.Code!,
            RedirectUri = redirectUri,
            CodeVerifier = verifier,
        });
        if (tokens.IsError) throw new InvalidOperationException($"Code exchange failed: {tokens.Error} {tokens.ErrorDescription}");
        return tokens;
    }

    public async Task<TokenResponse> Refresh(string refreshToken, string clientId = "demo-spa")
    {
        var disco = await Discovery();
        using var http = new HttpClient();
        return await http.RequestRefreshTokenAsync(new RefreshTokenRequest { Address = disco.TokenEndpoint, ClientId = clientId, RefreshToken = refreshToken });
    }

    /// <summary>A cookie-keeping client that does not follow redirects, like a browser under test.</summary>
    public HttpClient Browser() =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer(), UseCookies = true })
        { BaseAddress = Identity };

    /// <summary>
    /// One fetch per key at a time: when a token nears its expiry under load, the requests in flight share the one
    /// renewal. Each used to log in on its own, and at 228 requests a second the benchmark's renewal of an expired token
    /// became a burst of logins that Identity's guard against password guessing refused (429), ending the run.
    /// </summary>
    private async Task<string> Cached(string key, Func<Task<(string, DateTimeOffset)>> fetch)
    {
        Task<(string Token, DateTimeOffset Expires)> entry;
        lock (_cacheLock)
        {
            if (!_cache.TryGetValue(key, out entry!) || entry.IsFaulted || entry.IsCanceled ||
                (entry.IsCompletedSuccessfully && entry.Result.Expires <= DateTimeOffset.UtcNow.AddSeconds(60)))
            {
                entry = fetch();
                _cache[key] = entry;
            }
        }
        return (await entry).Token;
    }

    private static void Expect(HttpResponseMessage response, HttpStatusCode status)
    {
        if (response.StatusCode != status)
        {
            throw new InvalidOperationException($"Expected {(int)status} from {response.RequestMessage?.RequestUri}, got {(int)response.StatusCode}: {response.Content.ReadAsStringAsync().Result}");
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>__RequestVerificationToken[^\"]*)\" value=\"(?<value>[^\"]*)\">")]
    private static partial Regex AntiforgeryField();

    [GeneratedRegex("<input type=\"hidden\" name=\"returnUrl\" value=\"(?<value>[^\"]*)\">")]
    private static partial Regex ReturnUrlField();
}

/// <summary>Identity refused a login for now (429): too many from this address within its window.</summary>
public sealed class LoginThrottledException(string login) : Exception($"Login of {login} refused for now: 429 (too many logins from this address)");
