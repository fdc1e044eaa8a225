using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;

namespace Security.Tests;

/// <summary>One generated request: who sends it and everything that is sent.</summary>
public sealed record FuzzCase(string Actor, Request Request)
{
    public override string ToString() => $"{Actor}: {Request}";
}

/// <summary>
/// Property-based fuzzing (CsCheck) of every operation of the OpenAPI documents: bodies (wrong types, huge strings, deep
/// JSON, invalid UTF-8, nulls, extra fields, other media types), query strings (negative and huge paging, malformed
/// dates and ids), headers (If-Match and Idempotency-Key garbage) and path ids (non-GUIDs, empty, unicode), sent by
/// callers of every kind. The property: never a 5xx, and every 4xx is Problem Details (or the media type the document
/// declares for that status: Identity's HTML pages). A fixed number of cases per route, each from its own seed derived
/// from the run's seed (<see cref="FuzzSeeds"/>: fixed under CI=true).
/// Lengths stay under Kestrel's request-line and header limits, whose protocol errors come from the server itself.
/// Ids are random, and person A is never a caller, so the scenario is never touched.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class InputFuzzTests(SecurityFixture fixture, ITestOutputHelper output)
{
    public const int CasesPerRoute = 40;

    private static readonly DateTimeOffset ExampleDay = new(2031, 3, 3, 9, 0, 0, TimeSpan.Zero);

    private static readonly string[] Callers = ["anonymous", "social-worker-involved", "coordinator-involved", "admin-client", "person-b", "peer-worker"];

    internal static readonly string[] NastyStrings =
    [
        "", " ", "-1", "0", "-2147483649", "2147483648", "99999999999999999999999", "1e309", "NaN", "1.5", "true", "null", "[]", "{}",
        "abc", "00000000-0000-0000-0000-000000000000", "not-a-guid", "%00", "%", "%zz", "..%2F..%2F", "' OR '1'='1", "<script>alert(1)</script>",
        "é", "😀", "\u202e", "2020-13-45", "2020-02-30", "0001-01-01", "9999-12-31T23:59:59Z", "-0", "+1", "0x10", "\\", "\"", "../../etc/passwd",
        "{{7*7}}", "${jndi:ldap://x}", "*", "W/\"1\"", "\"-5\"", "\"99999999999999999999\"", "\"1\", \"2\"",
    ];

    internal static readonly string[] MediaTypes =
    [
        "application/json", "application/json; charset=utf-8", "application/merge-patch+json", "text/plain", "application/xml",
        "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=x", "application/json; charset=utf-16", "",
    ];

    internal static readonly Gen<string> Nasty = Gen.OneOf(
        Gen.OneOf(NastyStrings),
        Gen.String[0, 40],
        Gen.Guid.Select(g => g.ToString()),
        Gen.Int.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Long.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Int[100, 1500].Select(n => new string('x', n)));

    /// <summary>A JSON value of the wrong kind, or a nasty one of the right kind.</summary>
    private static readonly Gen<JsonNode?> NastyJson = Gen.OneOf(
        Gen.Const((JsonNode?)null),
        Nasty.Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.Long.Select(l => (JsonNode?)JsonValue.Create(l)),
        Gen.Double.Select(d => double.IsFinite(d) ? (JsonNode?)JsonValue.Create(d) : JsonValue.Create(-1)),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Int[1, 5].Select(n => (JsonNode?)new JsonArray(Enumerable.Range(0, n).Select(i => (JsonNode?)JsonValue.Create(i)).ToArray())),
        Gen.Const<JsonNode?>(new JsonObject { ["unexpected"] = new JsonObject { ["deeper"] = "x" } }),
        // Under the body limit even once escaped (\u00E9 is six bytes): the limit has its own test.
        Gen.Int[10_000, 120_000].Select(n => (JsonNode?)JsonValue.Create(new string('é', n))),
        Gen.Int[10_000, 900_000].Select(n => (JsonNode?)JsonValue.Create(new string('x', n))));

    [Fact]
    public async Task EveryRoute_AnswersGarbageWithProblemDetails_NeverA5xx()
    {
        var catalog = await ApiCatalog.LoadAsync(fixture.Http);
        var failures = new List<string>();
        var failingRoutes = 0;
        var cases = 0;
        foreach (var op in catalog.Operations)
        {
            var found = await Fuzzer.RunRoute(op.Key, CasesPerRoute, CaseFor(op), async (c, _) =>
            {
                Interlocked.Increment(ref cases);
                Answer answer;
                try
                {
                    answer = await fixture.Http.Send(c.Request, fixture.Scenario.Actor(c.Actor));
                }
                catch (HttpRequestException e)
                {
                    return $"the connection failed: {e.Message}";
                }
                if (answer.Status >= 500) return $"5xx: {answer}";
                if (answer.Status is >= 400 and < 500 && !answer.IsProblem && !op.DeclaredMediaTypes(answer.Status).Contains(answer.MediaType ?? ""))
                {
                    return $"a {answer.Status} that is not Problem Details: {answer}";
                }
                return null;
            }, c => c.ToString());
            if (found.Count > 0) failingRoutes++;
            failures.AddRange(found);
        }
        var summary = $"Input fuzzing (OpenAPI): {catalog.Operations.Count} routes × {CasesPerRoute} cases = {cases} cases run " +
            $"(run seed: {FuzzSeeds.Describe}); failing routes: {failingRoutes}, failing cases: {failures.Count}";
        Report.Write("fuzz", summary + "\n" + string.Join("\n", failures), output);
        Assert.True(failures.Count == 0, summary + "\n" + string.Join("\n\n", failures));
    }

    /// <summary>
    /// A case is a function of the run's seed and the route alone: made twice from the same seeds, every case of every
    /// route is the same, byte for byte (what CI=true relies on to run the same cases every time).
    /// </summary>
    [Fact]
    public async Task EveryCase_IsMadeAgainFromItsSeed()
    {
        var catalog = await ApiCatalog.LoadAsync(fixture.Http);
        foreach (var op in catalog.Operations)
        {
            string Make() => string.Join("\n", FuzzSeeds.Cases(op.Key, CasesPerRoute).Select(seed =>
            {
                var c = CaseFor(op).Generate(PCG.Parse(seed), null, out _);
                return $"{c} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(c.Request.Body ?? []))}";
            }));
            Assert.Equal(Make(), Make());
        }
    }

    [Fact]
    public async Task BodyOverTheConfiguredLimit_Is413OnEveryRouteThatTakesABody()
    {
        var catalog = await ApiCatalog.LoadAsync(fixture.Http);
        var failures = new List<string>();
        var checkedRoutes = 0;
        foreach (var op in catalog.Operations.Where(o => o.BodyContentTypes.Count > 0))
        {
            var limit = fixture.Host(op.Service).Services.GetRequiredService<IConfiguration>().GetValue<long?>("Http:MaxRequestBodyBytes") ?? 1_048_576;
            var type = op.BodyContentTypes[0];
            var padding = new string('x', (int)limit + 1);
            var bytes = Encoding.UTF8.GetBytes(type.Contains("json", StringComparison.Ordinal) ? $"{{\"name\":\"{padding}\"}}" : "name=" + padding);
            var url = op.Fill(_ => Guid.CreateVersion7().ToString())!;
            // Expect: 100-continue lets the server refuse the body before it is sent, so the client always reads the answer.
            var request = new Request(op.Service, op.HttpMethod, url, bytes, type,
                [KeyValuePair.Create("If-Match", "\"1\""), KeyValuePair.Create("Expect", "100-continue")]);
            Answer? answer = null;
            if (!op.Secured && op.BodyContentTypes.Contains("application/x-www-form-urlencoded"))
            {
                // A page's form is refused without its antiforgery token before the body is read: post it as a browser would.
                answer = await SendAsBrowser(op, limit);
            }
            else
            {
                // The first caller the route's policies let through to the body: a refusal by role comes before any reading.
                foreach (var caller in new[] { "admin-client", "social-worker-involved", "person-b", "anonymous" })
                {
                    answer = await Send(request, fixture.Scenario.Actor(caller));
                    if (answer.Status is not (401 or 403)) break;
                }
            }
            checkedRoutes++;
            // A rate limiter (the login form) answers before reading anything: 429 is the answer there.
            var ok = answer is not null && answer.IsProblem && (answer.Status == 413 || (answer.Status == 429 && op.Responses.ContainsKey("429")));
            if (!ok) failures.Add($"{op.Key}: {answer}");
        }
        // Identity's OAuth endpoints are not in its OpenAPI document; OpenIddict reads their forms before anything else.
        var identityLimit = fixture.Host("identity").Services.GetRequiredService<IConfiguration>().GetValue<long?>("Http:MaxRequestBodyBytes") ?? 1_048_576;
        foreach (var path in IdentityEndpointFuzzTests.FormEndpoints)
        {
            var form = Encoding.ASCII.GetBytes("client_id=demo-spa&state=" + new string('x', (int)identityLimit + 1));
            var request = new Request("identity", HttpMethod.Post, path, form, "application/x-www-form-urlencoded",
                [KeyValuePair.Create("Expect", "100-continue")]);
            var answer = await Send(request, Actor.Anonymous());
            checkedRoutes++;
            if (!(answer.Status == 413 && answer.IsProblem)) failures.Add($"POST identity/{path}: {answer}");
        }
        Report.Write("limit", $"Body over the limit: {checkedRoutes} routes; failures: {failures.Count}\n" + string.Join("\n", failures), output);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>The page's form, filled with its hidden fields and one field over the limit, posted with the page's cookies.</summary>
    private async Task<Answer> SendAsBrowser(Operation op, long limit)
    {
        using var browser = fixture.Tokens.Browser();
        var page = await browser.GetAsync(new Uri(op.Template.TrimStart('/'), UriKind.Relative));
        var html = await page.Content.ReadAsStringAsync();
        var hidden = System.Text.RegularExpressions.Regex.Matches(html, "<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\">")
            .Select(m => Uri.EscapeDataString(m.Groups["name"].Value) + "=" + Uri.EscapeDataString(System.Net.WebUtility.HtmlDecode(m.Groups["value"].Value)));
        var form = string.Join("&", hidden.Append("login=" + new string('x', (int)limit + 1)));
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(op.Template.TrimStart('/'), UriKind.Relative))
        {
            Content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        message.Headers.ExpectContinue = true;
        try
        {
            using var response = await browser.SendAsync(message);
            return new Answer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(), null);
        }
        catch (HttpRequestException e)
        {
            return new Answer(0, null, "connection closed while sending: " + e.Message, null);
        }
    }

    private async Task<Answer> Send(Request request, Actor actor)
    {
        try
        {
            return await fixture.Http.Send(request, actor);
        }
        catch (HttpRequestException e)
        {
            // The server may answer and close before the whole body is sent; the answer is then lost to the client.
            return new Answer(0, null, "connection closed while sending: " + e.Message, null);
        }
    }

    // ---- Generators ----

    private static Gen<FuzzCase> CaseFor(Operation op)
    {
        // The example's ids come from the route's seed and its dates from a fixed day, so that every byte a case sends is
        // derived from the run's seed (the day is a Monday years ahead: a date any schedule or due date may take).
        var example = op.BodySchema is null ? null : Examples.For(op.Document, op.BodySchema, FuzzHints,
            newId: FuzzSeeds.Guids(FuzzSeeds.For(op.Key + " example")), now: ExampleDay);
        var pathValues = Gen.OneOf(Gen.Guid.Select(g => g.ToString()), Gen.OneOf(NastyStrings).Select(Uri.EscapeDataString),
            Gen.String[1, 30].Select(Uri.EscapeDataString)).Array[op.Path.Count];
        var query = Gen.Select(Gen.Int[0, op.Query.Count], Nasty.Array[Math.Max(1, op.Query.Count + 1)], Gen.Bool, (count, values, extra) =>
        {
            var pairs = op.Query.Take(count).Select((q, i) => $"{Uri.EscapeDataString(q.Name)}={Uri.EscapeDataString(values[i])}").ToList();
            if (extra) pairs.Add($"{(op.Query.Count > 0 ? op.Query[0].Name : "unexpected")}={Uri.EscapeDataString(values[^1])}");
            return string.Join("&", pairs);
        });
        var headers = Gen.Select(Gen.Int[0, 3], Nasty, Gen.OneOf(Nasty, Gen.Int[256, 400].Select(n => new string('k', n))), (which, ifMatch, key) =>
        {
            var list = new List<KeyValuePair<string, string>>();
            if ((which & 1) != 0) list.Add(KeyValuePair.Create("If-Match", Ascii(ifMatch)));
            if ((which & 2) != 0) list.Add(KeyValuePair.Create("Idempotency-Key", Ascii(key)));
            return list;
        });
        var body = op.BodyContentTypes.Count == 0
            ? Gen.Frequency((4, Gen.Const<(byte[]?, string?)>((null, null))), (1, Bodies(op, example)))
            : Bodies(op, example);
        var method = Gen.Frequency((9, Gen.Const(op.HttpMethod)), (1, Gen.OneOf(HttpMethod.Get, HttpMethod.Post, HttpMethod.Put, HttpMethod.Patch, HttpMethod.Delete)));
        return Gen.Select(Gen.OneOf(Callers), pathValues, query, headers, body, method, (caller, ids, q, h, b, m) =>
        {
            var i = 0;
            var path = op.Fill(_ => ids[i++])!;
            var url = path + (q.Length > 0 ? "?" + q : "");
            return new FuzzCase(caller, new Request(op.Service, m, url, b.Item1, b.Item2, h));
        });
    }

    /// <summary>Bodies: the valid example with one member spoiled, extra members, deep nesting, invalid UTF-8, scalars, other media types.</summary>
    private static Gen<(byte[]?, string?)> Bodies(Operation op, JsonNode? example)
    {
        var declared = op.BodyContentTypes.Count > 0 ? op.BodyContentTypes[0] : "application/json";
        var members = example is JsonObject o ? o.Select(p => p.Key).ToArray() : [];
        var spoiled = Gen.Select(Gen.Int[0, Math.Max(0, members.Length - 1)], NastyJson, Gen.Int[0, 3], (index, value, how) =>
        {
            var copy = (example?.DeepClone() as JsonObject) ?? new JsonObject();
            if (members.Length > 0 && how < 2) copy[members[index]] = value?.DeepClone();
            else if (members.Length > 0 && how == 2) copy.Remove(members[index]);
            else copy["extra" + index] = value?.DeepClone();
            return ((byte[]?)Encoding.UTF8.GetBytes(copy.ToJsonString()), (string?)declared);
        });
        var deep = Gen.Int[33, 20_000].Select(depth =>
            ((byte[]?)Encoding.UTF8.GetBytes(new string('[', depth) + new string(']', depth)), (string?)declared));
        var deepObject = Gen.Int[33, 5_000].Select(depth =>
            ((byte[]?)Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth)), (string?)declared));
        var invalidUtf8 = Gen.Byte.Array[1, 64].Select(bytes =>
        {
            var prefix = Encoding.UTF8.GetBytes(members.Length > 0 ? $"{{\"{members[0]}\":\"" : "{\"a\":\"");
            byte[] broken = [0xC3, 0x28, 0xFF, 0xFE, 0xED, 0xA0, 0x80];
            return ((byte[]?)[.. prefix, .. broken, .. bytes, .. "\"}"u8.ToArray()], (string?)declared);
        });
        var raw = Gen.Select(Gen.Byte.Array[0, 256], Gen.OneOf(MediaTypes), (bytes, type) => ((byte[]?)bytes, type.Length == 0 ? null : (string?)type));
        var scalar = Gen.Select(NastyJson, Gen.OneOf(MediaTypes), (value, type) =>
            ((byte[]?)Encoding.UTF8.GetBytes(value?.ToJsonString() ?? "null"), type.Length == 0 ? null : (string?)type));
        var valid = Gen.OneOf(MediaTypes).Select(type =>
            ((byte[]?)Encoding.UTF8.GetBytes(example?.ToJsonString() ?? "{}"), (string?)(type.Length == 0 ? declared : type)));
        return Gen.Frequency((5, spoiled), (1, deep), (1, deepObject), (2, invalidUtf8), (1, raw), (1, scalar), (2, valid));
    }

    /// <summary>Fuzzing never names real data: no scenario id, and URLs that lead nowhere.</summary>
    private static JsonNode? FuzzHints(string name) => name switch
    {
        "url" => JsonValue.Create("http://127.0.0.1:9/fuzz"),
        "secret" => JsonValue.Create(new string('f', 32)),
        _ => null,
    };

    /// <summary>Header values must be ASCII for the client to send them; anything else is replaced, not dropped.</summary>
    private static string Ascii(string value) => new(value.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());
}
