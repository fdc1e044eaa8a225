using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CsCheck;
using Xunit;
using Xunit.Abstractions;

namespace Security.Tests;

/// <summary>
/// Identity's OAuth endpoints (<c>/connect/authorize</c>, <c>/connect/token</c>, <c>/connect/userinfo</c>,
/// <c>/connect/logout</c>) are not in its OpenAPI document, and its two forms (<c>/account/login</c>,
/// <c>/account/activate</c>) are, but the document-driven fuzzing never gets past their antiforgery check. Both are
/// fuzzed here: OAuth parameters with plausible and nasty values (wrong types, huge strings, invalid UTF-8 raw and
/// percent-encoded, duplicates, unknown keys, keys over the form reader's limit, over a thousand values), in the query
/// or the form body, under wrong media types and methods, with garbage Basic and Bearer credentials; the forms posted
/// as a browser would, with the page's antiforgery token and cookie. By design the answers are:
/// never a 5xx; an error of the OAuth server is an OAuth error (JSON with an <c>error</c> member, OpenIddict's
/// <c>error:</c> text page, or a WWW-Authenticate challenge) or Problem Details (what the service defaults map: a form
/// over the reader's limits, a body over the size limit, a method not allowed); a form's error is its HTML page
/// (declared in the document) or Problem Details; a redirect goes only to Identity itself or to an address a client
/// registered, never to one a request named. Userinfo refuses with a Bearer challenge, answers 403 only for a missing
/// scope (insufficient_scope) and 200 only to a real token granted openid; the token endpoint succeeds only with a token.
/// Cases come from <see cref="FuzzSeeds"/> like the rest of the fuzzing.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed partial class IdentityEndpointFuzzTests(SecurityFixture fixture, ITestOutputHelper output)
{
    /// <summary>The OAuth endpoints that take a form: also sent a body over the limit (<see cref="InputFuzzTests"/>).</summary>
    public static readonly string[] FormEndpoints = ["connect/token", "connect/authorize", "connect/logout", "connect/userinfo"];

    /// <summary>Where demo-spa, the only client with redirects, may be sent back (its redirect and post-logout URIs).</summary>
    private const string RegisteredClientOrigin = "http://127.0.0.1:5199/";

    private sealed record OAuthRoute(HttpMethod Method, string Path, string[] Parameters)
    {
        public bool InBody => Method == HttpMethod.Post;

        public string Key => $"{Method} identity/{Path}";
    }

    private sealed record FormPage(string Path, string[] Fields)
    {
        public string Key => $"POST identity/{Path}";
    }

    private static readonly string[] AuthorizeParameters =
    [
        "client_id", "response_type", "redirect_uri", "scope", "state", "nonce", "code_challenge", "code_challenge_method", "prompt",
        "response_mode", "max_age", "login_hint", "id_token_hint", "request", "request_uri", "resource", "audience", "claims",
    ];

    private static readonly string[] TokenParameters =
    [
        "grant_type", "client_id", "client_secret", "code", "code_verifier", "redirect_uri", "refresh_token", "scope", "username",
        "password", "resource", "audience", "client_assertion", "client_assertion_type", "device_code",
    ];

    private static readonly string[] LogoutParameters = ["id_token_hint", "post_logout_redirect_uri", "state", "client_id", "logout_hint", "ui_locales"];

    private static readonly OAuthRoute[] OAuthRoutes =
    [
        new(HttpMethod.Get, "connect/authorize", AuthorizeParameters),
        new(HttpMethod.Post, "connect/authorize", AuthorizeParameters),
        new(HttpMethod.Post, "connect/token", TokenParameters),
        new(HttpMethod.Get, "connect/userinfo", ["access_token", "scope"]),
        new(HttpMethod.Post, "connect/userinfo", ["access_token", "scope"]),
        new(HttpMethod.Get, "connect/logout", LogoutParameters),
        new(HttpMethod.Post, "connect/logout", LogoutParameters),
    ];

    private static readonly FormPage[] FormPages =
    [
        new("account/login", ["login", "password", "returnUrl"]),
        new("account/activate", ["code", "login", "password", "passwordConfirmation"]),
    ];

    /// <summary>Values the server knows the meaning of, right or wrong, so that cases get past the first checks.</summary>
    private static readonly Dictionary<string, string[]> Plausible = new(StringComparer.Ordinal)
    {
        ["client_id"] = ["demo-spa", "demo-partner", "security-partner-system", "unknown-client"],
        ["client_secret"] = ["not-the-secret", ""],
        ["grant_type"] = ["authorization_code", "client_credentials", "refresh_token", "password", "implicit",
            "urn:ietf:params:oauth:grant-type:device_code", "urn:ietf:params:oauth:grant-type:token-exchange"],
        ["response_type"] = ["code", "token", "id_token", "code id_token", "code token", "none"],
        ["redirect_uri"] = ["http://127.0.0.1:5199/callback", "http://evil.example/callback", "javascript:alert(1)", "//evil.example",
            "http://127.0.0.1:5199/callback/../evil"],
        ["post_logout_redirect_uri"] = ["http://127.0.0.1:5199/", "http://evil.example/", "//evil.example", "/\\evil.example"],
        ["scope"] = ["openid", "openid offline_access referrals", "referrals", "unknown", "openid openid"],
        ["code_challenge"] = ["E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "x"],
        ["code_challenge_method"] = ["S256", "plain", "S512"],
        ["code_verifier"] = ["dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "x"],
        ["prompt"] = ["none", "login", "consent", "select_account", "create"],
        ["response_mode"] = ["query", "fragment", "form_post", "web_message"],
        ["id_token_hint"] = ["eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "a.b.c"],
        ["access_token"] = ["eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "a.b.c"],
        ["login"] = ["inconnu@demo", "personne-inconnue"],
        ["password"] = ["un mot de passe solide", "demo"],
        ["passwordConfirmation"] = ["un mot de passe solide"],
        ["code"] = ["ABCDEFGHJK", "abcde-fghjk"],
        ["returnUrl"] = ["/connect/authorize?client_id=demo-spa", "//evil.example", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"],
    };

    private static readonly byte[] RawInvalidUtf8 = [0xC3, 0x28, 0xFF, 0xFE, 0xED, 0xA0, 0x80, 0xF4, 0x90, 0x80, 0x80, 0xC0, 0xAF];

    private const string EncodedInvalidUtf8 = "%C3%28%FF%FE%ED%A0%80%F4%90%80%80%C0%AF";

    /// <summary>Kestrel refuses a request line over 8 KB itself: query cases stay under this.</summary>
    private const int MaxUrl = 6000;

    private static readonly string[] Callers = ["anonymous", "anonymous", "anonymous", "anonymous", "person-b", "admin-client"];

    [Fact]
    public async Task OAuthEndpointsAndForms_AnswerGarbageAsDesigned_NeverA5xx()
    {
        var catalog = await ApiCatalog.LoadAsync(fixture.Http);
        var failures = new List<string>();
        var seen = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var examples = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        void Count(string route, FuzzCase? sent, FormCase? form, Answer answer)
        {
            var bucket = $"{route} → {answer.Status} {Kind(answer)}";
            seen.AddOrUpdate(bucket, 1, (_, n) => n + 1);
            examples.TryAdd(bucket, $"{Answer.Shorten(sent?.ToString() ?? form!.ToString(), 160)} → {Answer.Shorten(answer.ToString(), 200)} {answer.Challenge}");
        }
        var cases = 0;
        foreach (var route in OAuthRoutes)
        {
            failures.AddRange(await Fuzzer.RunRoute(route.Key, InputFuzzTests.CasesPerRoute, CaseFor(route), async (c, _) =>
            {
                Interlocked.Increment(ref cases);
                var answer = await fixture.Http.Send(c.Request, fixture.Scenario.Actor(c.Actor));
                Count(route.Key, c, null, answer);
                return JudgeOAuth(route, c, answer);
            }, c => c.ToString()));
        }
        foreach (var page in FormPages)
        {
            var op = catalog.Operations.Single(o => o.Key == page.Key);
            failures.AddRange(await Fuzzer.RunRoute(page.Key, InputFuzzTests.CasesPerRoute, CaseFor(page), async (c, i) =>
            {
                Interlocked.Increment(ref cases);
                var answer = await SendForm(c, i);
                Count(page.Key, null, c, answer);
                return JudgeForm(op, answer);
            }, c => c.ToString()));
        }
        var routes = OAuthRoutes.Length + FormPages.Length;
        var summary = $"Input fuzzing (Identity's OAuth endpoints and forms): {routes} routes × {InputFuzzTests.CasesPerRoute} cases = {cases} cases run " +
            $"(run seed: {FuzzSeeds.Describe}); failing cases: {failures.Count}\nAnswers:\n" +
            string.Join("\n", seen.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"  {s.Key}: {s.Value}    e.g. {examples[s.Key]}"));
        Report.Write("fuzz-identity", summary + "\n" + string.Join("\n", failures), output);
        Assert.True(failures.Count == 0, summary + "\n" + string.Join("\n\n", failures));
    }

    /// <summary>Made twice from the same seeds, every case of these routes is the same, byte for byte.</summary>
    [Fact]
    public void EveryCase_IsMadeAgainFromItsSeed()
    {
        static string Make<T>(string route, Gen<T> gen, Func<T, byte[]?> body) => string.Join("\n", FuzzSeeds.Cases(route, InputFuzzTests.CasesPerRoute)
            .Select(seed => gen.Generate(PCG.Parse(seed), null, out _))
            .Select(c => $"{c} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(body(c) ?? []))}"));
        foreach (var route in OAuthRoutes) Assert.Equal(Make(route.Key, CaseFor(route), c => c.Request.Body), Make(route.Key, CaseFor(route), c => c.Request.Body));
        foreach (var page in FormPages) Assert.Equal(Make(page.Key, CaseFor(page), c => Join(c.Pairs)), Make(page.Key, CaseFor(page), c => Join(c.Pairs)));
    }

    // ---- Judging ----

    private string? JudgeOAuth(OAuthRoute route, FuzzCase sent, Answer answer)
    {
        if (answer.Status is 0 or >= 500) return $"{answer.Status}: {answer}{Evidence(answer)}";
        if (answer.Status is >= 300 and < 400) return Redirect(answer);
        if (answer.Status >= 400 && !answer.IsProblem && !IsOAuthError(answer))
        {
            return $"a {answer.Status} that is neither an OAuth error nor Problem Details: {answer}";
        }
        var userInfo = route.Path == "connect/userinfo" && sent.Request.Method == route.Method;
        // RFC 6750 3: userinfo refuses with a Bearer challenge (which names the error when a token was sent), whatever the body.
        if (userInfo && answer.Status is 401 or 403 && answer.Challenge?.StartsWith("Bearer", StringComparison.Ordinal) != true)
        {
            return $"userinfo refused without a Bearer challenge: {answer}";
        }
        if (userInfo && answer.Status == 403 && answer.Challenge?.Contains("insufficient_scope", StringComparison.Ordinal) != true)
        {
            return $"userinfo answered 403 for another reason than a missing scope: {answer} {answer.Challenge}";
        }
        // Only a real token granted openid reads userinfo (person B's here); the token endpoint gives tokens only to valid grants.
        if (answer.IsSuccess && route.Path == "connect/userinfo" && (sent.Actor != "person-b" || answer.Json()?["sub"] is null))
        {
            return $"userinfo answered {sent.Actor}: {answer}";
        }
        if (answer.IsSuccess && route.Path == "connect/token" && answer.Json()?["access_token"] is null)
        {
            return $"the token endpoint answered a success without a token: {answer}";
        }
        return null;
    }

    private string? JudgeForm(Operation op, Answer answer)
    {
        if (answer.Status is 0 or >= 500) return $"{answer.Status}: {answer}{Evidence(answer)}";
        if (answer.Status is >= 300 and < 400) return Redirect(answer);
        if (answer.Status >= 400 && !answer.IsProblem && !op.DeclaredMediaTypes(answer.Status).Contains(answer.MediaType ?? ""))
        {
            return $"a {answer.Status} that is neither the page nor Problem Details: {answer}";
        }
        return null;
    }

    /// <summary>The service's log lines of the failed request (found by its trace id), for the failure's text.</summary>
    private string Evidence(Answer answer)
    {
        var trace = Regex.Match(answer.Body, "\"traceId\":\"00-(?<id>[0-9a-f]{32})-").Groups["id"].Value;
        if (trace.Length == 0) return "";
        var lines = fixture.LogLines.Where(l => l.Contains(trace, StringComparison.Ordinal)).Select(l => "\n    log: " + Answer.Shorten(l, 3000));
        return string.Concat(lines);
    }

    /// <summary>A redirect stays at Identity or goes to an address a client registered; a request never chooses it.</summary>
    private string? Redirect(Answer answer)
    {
        var location = answer.Location;
        if (location is null) return $"a redirect without a Location: {answer}";
        if (location.StartsWith('/') && !location.StartsWith("//", StringComparison.Ordinal) && !location.StartsWith("/\\", StringComparison.Ordinal)) return null;
        if (location.StartsWith(fixture.Issuer, StringComparison.Ordinal) || location.StartsWith(RegisteredClientOrigin, StringComparison.Ordinal)) return null;
        return $"a redirect to an address no client registered: {location}";
    }

    private static bool IsOAuthError(Answer answer) =>
        (answer.MediaType == "application/json" && answer.Json() is JsonObject o && o["error"] is JsonValue e && e.TryGetValue<string>(out _))
        || (answer.MediaType == "text/plain" && answer.Body.Contains("error:", StringComparison.Ordinal))
        || (answer.Body.Length == 0 && answer.Challenge?.Contains("error=", StringComparison.Ordinal) == true);

    private static string Kind(Answer answer) => answer switch
    {
        { Status: >= 300 and < 400 } => "redirect to " + (answer.Location is { } l && l.StartsWith(RegisteredClientOrigin, StringComparison.Ordinal)
            ? "the client" + (l.Contains("error=", StringComparison.Ordinal) ? " with an OAuth error" : "")
            : "Identity"),
        { IsProblem: true } => "Problem Details",
        { MediaType: "application/json" } when IsOAuthError(answer) => "OAuth error (JSON)",
        { MediaType: "text/plain" } when IsOAuthError(answer) => "OAuth error (text)",
        _ when IsOAuthError(answer) => "OAuth error (challenge)",
        _ => answer.MediaType ?? "no body",
    };

    // ---- Generators ----

    private static Gen<string> Text(string name, bool inBody)
    {
        var plausible = Plausible.TryGetValue(name, out var values) ? Gen.OneOf(values) : InputFuzzTests.Nasty;
        var huge = inBody ? Gen.Int[10_000, 400_000].Select(n => new string('x', n)) : Gen.Int[100, 600].Select(n => new string('x', n));
        return Gen.Frequency((4, plausible), (4, InputFuzzTests.Nasty), (1, huge));
    }

    /// <summary>A value as it goes on the wire: percent-encoded, with invalid UTF-8 percent-encoded, or (in a body) raw.</summary>
    private static Gen<byte[]> Value(string name, bool inBody)
    {
        var text = Text(name, inBody).Select(t => Encoding.ASCII.GetBytes(Uri.EscapeDataString(t)));
        var invalid = Text(name, false).Select(t => Encoding.ASCII.GetBytes(EncodedInvalidUtf8 + Uri.EscapeDataString(t)));
        if (!inBody) return Gen.Frequency((9, text), (1, invalid));
        var raw = Gen.Byte.Array[0, 32].Select(b => (byte[])[.. RawInvalidUtf8, .. b]);
        return Gen.Frequency((8, text), (1, invalid), (1, raw));
    }

    /// <summary>Mostly the endpoint's own parameters (repeated ones included), sometimes unknown keys, in a body keys over 2 KB.</summary>
    private static Gen<(string Key, byte[] Value)[]> Pairs(string[] parameters, bool inBody)
    {
        var known = Gen.OneOf(parameters).SelectMany(name => Value(name, inBody).Select(v => (Uri.EscapeDataString(name), v)));
        var unknown = Gen.Select(InputFuzzTests.Nasty, Value("unknown", inBody), (k, v) => (Uri.EscapeDataString(k), v));
        var pair = inBody
            ? Gen.Frequency((8, known), (1, unknown), (1, Gen.Int[2_100, 3_000].Select(n => (new string('k', n), "1"u8.ToArray()))))
            : Gen.Frequency((8, known), (1, unknown));
        var many = Gen.Int[1_030, 1_200].Select(n => Enumerable.Range(0, n).Select(i => ($"k{i}", "1"u8.ToArray())).ToArray());
        return Gen.Frequency((12, pair.Array[0, 10]), (1, many));
    }

    private static byte[] Join(IEnumerable<(string Key, byte[] Value)> pairs)
    {
        using var body = new MemoryStream();
        var first = true;
        foreach (var (key, value) in pairs)
        {
            if (!first) body.WriteByte((byte)'&');
            first = false;
            body.Write(Encoding.ASCII.GetBytes(key));
            body.WriteByte((byte)'=');
            body.Write(value);
        }
        return body.ToArray();
    }

    private static readonly Gen<string?> FormContentType = Gen.Frequency(
        (8, Gen.Const((string?)"application/x-www-form-urlencoded")),
        (1, Gen.Const((string?)"application/x-www-form-urlencoded; charset=utf-16")),
        (2, Gen.OneOf(InputFuzzTests.MediaTypes).Select(t => t.Length == 0 ? null : (string?)t)));

    /// <summary>Credentials a client might send: none, or garbage Bearer and Basic ones (an anonymous caller's only).</summary>
    private static readonly Gen<string?> Credentials = Gen.Frequency(
        (4, Gen.Const((string?)null)),
        (1, InputFuzzTests.Nasty.Select(s => (string?)("Bearer " + Ascii(s)))),
        (1, Gen.Select(InputFuzzTests.Nasty, InputFuzzTests.Nasty, (u, p) => (string?)("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(u + ":" + p))))),
        (1, InputFuzzTests.Nasty.Select(s => (string?)("Basic " + Ascii(s)))),
        (1, Gen.Const((string?)"Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")));

    private static Gen<FuzzCase> CaseFor(OAuthRoute route)
    {
        var other = route.InBody ? Gen.OneOf(HttpMethod.Put, HttpMethod.Patch, HttpMethod.Delete, HttpMethod.Get) : Gen.OneOf(HttpMethod.Put, HttpMethod.Delete, HttpMethod.Post);
        var method = Gen.Frequency((9, Gen.Const(route.Method)), (1, other));
        return Gen.Select(Pairs(route.Parameters, route.InBody), method, FormContentType, Credentials, Gen.OneOf(Callers), (pairs, m, type, credentials, caller) =>
        {
            var headers = new List<KeyValuePair<string, string>>();
            if (caller == "anonymous" && credentials is not null) headers.Add(KeyValuePair.Create("Authorization", credentials));
            if (route.InBody)
            {
                return new FuzzCase(caller, new Request("identity", m, route.Path, Join(pairs), type, headers));
            }
            // In the query, as long as the request line stays under Kestrel's limit.
            var kept = new List<(string, byte[])>();
            var length = route.Path.Length + 1;
            foreach (var p in pairs)
            {
                length += p.Key.Length + p.Value.Length + 2;
                if (length > MaxUrl) break;
                kept.Add(p);
            }
            var query = Encoding.ASCII.GetString(Join(kept));
            return new FuzzCase(caller, new Request("identity", m, route.Path + (query.Length > 0 ? "?" + query : ""), null, null, headers));
        });
    }

    private sealed record FormCase(FormPage Page, (string Key, byte[] Value)[] Pairs, bool Antiforgery, string? ContentType)
    {
        public override string ToString() =>
            $"POST identity/{Page.Path}{(Antiforgery ? "" : " without the antiforgery token")} {ContentType} {Encoding.UTF8.GetString(Join(Pairs))}";
    }

    /// <summary>
    /// Mostly every field of the form, each with a generated value, and then a few more pairs (the binder refuses a form
    /// missing one of its fields before the page's code runs); sometimes any pairs at all.
    /// </summary>
    private static Gen<FormCase> CaseFor(FormPage page)
    {
        var everyField = page.Fields.Aggregate(Gen.Const(Array.Empty<(string Key, byte[] Value)>()), (pairs, field) =>
            pairs.SelectMany(p => Value(field, inBody: true).Select(v => (Key: field, Value: v)).Select(pair => (p.Append(pair).ToArray()))));
        var filled = Gen.Select(everyField, Pairs(page.Fields, inBody: true), (fields, more) => fields.Concat(more.Take(3)).ToArray());
        return Gen.Select(Gen.Frequency((4, filled), (1, Pairs(page.Fields, inBody: true))), Gen.Frequency((9, Gen.Const(true)), (1, Gen.Const(false))),
            FormContentType, (pairs, antiforgery, type) => new FormCase(page, pairs, antiforgery, type));
    }

    // ---- Sending a form as a browser ----

    /// <summary>
    /// The page's form with its hidden fields (antiforgery token, return URL) and the case's fields, posted with the page's
    /// cookie. Each case comes from its own loopback address: Identity takes 20 logins a minute per address (a guard against
    /// password guessing), so every case reaches the form rather than the guard.
    /// </summary>
    private async Task<Answer> SendForm(FormCase c, int index)
    {
        using var browser = BrowserFrom(IPAddress.Parse($"127.0.0.{10 + (index % 200)}"));
        var page = await browser.GetAsync(new Uri(c.Page.Path, UriKind.Relative));
        var html = await page.Content.ReadAsStringAsync();
        var hidden = HiddenField().Matches(html)
            .Select(m => (Name: WebUtility.HtmlDecode(m.Groups["name"].Value), Value: WebUtility.HtmlDecode(m.Groups["value"].Value)))
            .Where(h => c.Antiforgery || !h.Name.StartsWith("__RequestVerificationToken", StringComparison.Ordinal))
            .Select(h => (Uri.EscapeDataString(h.Name), Encoding.ASCII.GetBytes(Uri.EscapeDataString(h.Value))));
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(c.Page.Path, UriKind.Relative))
        {
            Content = new ByteArrayContent(Join(hidden.Concat(c.Pairs))),
        };
        if (c.ContentType is not null) message.Content.Headers.TryAddWithoutValidation("Content-Type", c.ContentType);
        try
        {
            using var response = await browser.SendAsync(message);
            return new Answer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(), null)
            {
                Location = response.Headers.Location?.ToString(),
            };
        }
        catch (HttpRequestException e)
        {
            return new Answer(0, null, "the connection failed: " + e.Message, null);
        }
    }

    private HttpClient BrowserFrom(IPAddress address) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = true,
        CookieContainer = new CookieContainer(),
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(address, 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = fixture.Tokens.Identity,
        Timeout = TimeSpan.FromSeconds(90),
    };

    private static string Ascii(string value) => new(value.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\">")]
    private static partial Regex HiddenField();
}
