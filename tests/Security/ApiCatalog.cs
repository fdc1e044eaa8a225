using System.Text.Json.Nodes;

namespace Security.Tests;

public sealed record Parameter(string Name, string In, JsonNode? Schema, bool Required, string? Collection);

/// <summary>One operation of a service's OpenAPI document: what the suite needs to call it and to judge the answer.</summary>
public sealed record Operation(string Service, string Method, string Template, string? OperationId, IReadOnlyList<Parameter> Path,
    IReadOnlyList<Parameter> Query, IReadOnlyList<string> BodyContentTypes, JsonNode? BodySchema, bool Secured,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Responses, ApiDocument Document)
{
    public HttpMethod HttpMethod => new(Method.ToUpperInvariant());

    public bool IsRead => Method is "get" or "head";

    public bool IsMutation => !IsRead;

    public string Key => $"{Method.ToUpperInvariant()} {Service}{Template}";

    /// <summary>
    /// The exact-match search of DESIGN §4 ("by family name, given name and birth date"), recognised by its
    /// parameters wherever it lives.
    /// </summary>
    public bool IsExactMatchSearch => Query.Any(q => q.Name == "familyName") && Query.Any(q => q.Name == "givenName") && Query.Any(q => q.Name == "birthDate");

    /// <summary>A route of the caller's own record (<c>/me/…</c>): the person is the caller, not a parameter.</summary>
    public bool IsOwnRecord => Template.StartsWith("/me/", StringComparison.Ordinal);

    /// <summary>The media types the document declares for an answer with this status (empty when it declares none).</summary>
    public IReadOnlyList<string> DeclaredMediaTypes(int status) =>
        Responses.TryGetValue(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var types) ? types : [];

    /// <summary>Fills the template; unknown or unbound parameters make it null.</summary>
    public string? Fill(IReadOnlyDictionary<string, Guid> ids) => Fill(p => p.Collection is { } c && ids.TryGetValue(c, out var id) ? id.ToString() : null);

    public string? Fill(Func<Parameter, string?> value)
    {
        var path = Template;
        foreach (var p in Path)
        {
            if (value(p) is not { } v) return null;
            path = path.Replace("{" + p.Name + "}", v, StringComparison.Ordinal);
        }
        return path.TrimStart('/');
    }

    /// <summary>The collection a path parameter follows: <c>/persons/{id}/consents/{consentId}</c> → persons, consents.</summary>
    public static string? CollectionOf(string template, string parameter)
    {
        var segments = template.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var index = Array.IndexOf(segments, "{" + parameter + "}");
        return index > 0 && !segments[index - 1].StartsWith('{') ? segments[index - 1] : null;
    }

    public override string ToString() => Key;
}

/// <summary>One service's document, with its component schemas for resolving references.</summary>
public sealed class ApiDocument(string service, JsonObject root)
{
    public string Service { get; } = service;

    public JsonObject Root { get; } = root;

    public JsonNode? Resolve(JsonNode? schema, int depth = 0)
    {
        if (schema is JsonObject o && o["$ref"]?.GetValue<string>() is { } reference && depth < 20)
        {
            var name = reference.Split('/')[^1];
            return Resolve(Root["components"]?["schemas"]?[name], depth + 1);
        }
        return schema;
    }
}

/// <summary>
/// Every operation of the five services, read from their OpenAPI documents at run time: a route added to a
/// service is in the matrix, the token tests and the fuzzing the next time the suite runs.
/// </summary>
public sealed class ApiCatalog
{
    public static readonly string[] Services = ["identity", "directory", "consents", "referrals", "appointments"];

    private ApiCatalog(IReadOnlyList<Operation> operations, IReadOnlyDictionary<string, ApiDocument> documents)
    {
        Operations = operations;
        Documents = documents;
    }

    public IReadOnlyList<Operation> Operations { get; }

    public IReadOnlyDictionary<string, ApiDocument> Documents { get; }

    public static async Task<ApiCatalog> LoadAsync(Clients clients)
    {
        var operations = new List<Operation>();
        var documents = new Dictionary<string, ApiDocument>(StringComparer.Ordinal);
        foreach (var service in Services)
        {
            var answer = await clients.Send(new Request(service, HttpMethod.Get, "openapi/v1.json"), (string?)null);
            if (answer.Status != 200 || answer.Json() is not JsonObject root)
            {
                throw new InvalidOperationException($"{service} serves no OpenAPI document: {answer}");
            }
            var document = new ApiDocument(service, root);
            documents[service] = document;
            var defaultSecured = root["security"] is JsonArray { Count: > 0 };
            foreach (var (template, item) in root["paths"]!.AsObject())
            {
                foreach (var (method, node) in item!.AsObject())
                {
                    if (node is not JsonObject op || method is "parameters" or "summary" or "description" or "servers") continue;
                    var parameters = (op["parameters"] as JsonArray ?? []).OfType<JsonObject>()
                        .Select(p => new Parameter(p["name"]!.GetValue<string>(), p["in"]!.GetValue<string>(), p["schema"],
                            p["required"]?.GetValue<bool>() ?? false,
                            p["in"]!.GetValue<string>() == "path" ? Operation.CollectionOf(template, p["name"]!.GetValue<string>()) : null))
                        .ToList();
                    var content = op["requestBody"]?["content"] as JsonObject;
                    var secured = op["security"] is JsonArray security ? security.Count > 0 : defaultSecured;
                    var responses = (op["responses"] as JsonObject ?? []).ToDictionary(r => r.Key,
                        r => (IReadOnlyList<string>)((r.Value?["content"] as JsonObject)?.Select(c => c.Key).ToList() ?? []), StringComparer.Ordinal);
                    operations.Add(new Operation(service, method, template, op["operationId"]?.GetValue<string>(),
                        parameters.Where(p => p.In == "path").ToList(), parameters.Where(p => p.In == "query").ToList(),
                        content?.Select(c => c.Key).ToList() ?? [], content?.FirstOrDefault().Value?["schema"], secured, responses, document));
                }
            }
        }
        return new ApiCatalog(operations, documents);
    }
}

/// <summary>
/// A valid-looking value for a schema: enums take their first value, formats a well-formed value, and named fields the
/// value the caller hints (the scenario's ids, a known thematique…), so a request reaches the check under test
/// rather than stopping at validation.
/// </summary>
public static class Examples
{
    /// <param name="newId">Where uuids come from (the fuzzing derives them from its seed); new random ones otherwise.</param>
    /// <param name="now">The instant dates are taken from (the fuzzing fixes it); the clock otherwise.</param>
    public static JsonNode? For(ApiDocument document, JsonNode? schema, Func<string, JsonNode?>? hint = null, string? name = null, int depth = 0,
        Func<Guid>? newId = null, DateTimeOffset? now = null)
    {
        if (name is not null && hint?.Invoke(name) is { } hinted) return hinted.DeepClone();
        schema = document.Resolve(schema);
        if (schema is not JsonObject s || depth > 8) return null;
        if (s["enum"] is JsonArray values) return values.FirstOrDefault(v => v is not null)?.DeepClone();
        if ((s["oneOf"] ?? s["anyOf"]) is JsonArray choices)
        {
            var concrete = choices.FirstOrDefault(c => document.Resolve(c) is JsonObject o && !IsNullOnly(o)) ?? choices.FirstOrDefault();
            return For(document, concrete, hint, null, depth + 1, newId, now);
        }
        var type = TypeOf(s);
        var format = s["format"]?.GetValue<string>();
        return type switch
        {
            "object" => Object(document, s, hint, depth, newId, now),
            "array" => new JsonArray(For(document, s["items"], hint, null, depth + 1, newId, now)),
            "integer" => JsonValue.Create(1),
            "number" => JsonValue.Create(1.5),
            "boolean" => JsonValue.Create(false),
            "string" => format switch
            {
                "uuid" => JsonValue.Create(newId?.Invoke() ?? Guid.NewGuid()),
                "date" => JsonValue.Create((now ?? DateTimeOffset.UtcNow).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
                "date-time" => JsonValue.Create((now ?? DateTimeOffset.UtcNow).AddDays(1).ToString("O", System.Globalization.CultureInfo.InvariantCulture)),
                "time" => JsonValue.Create("09:00:00"),
                "int32" or "int64" => JsonValue.Create(1),
                _ => JsonValue.Create("Exemple de valeur"),
            },
            _ => null,
        };
    }

    private static JsonObject Object(ApiDocument document, JsonObject schema, Func<string, JsonNode?>? hint, int depth, Func<Guid>? newId,
        DateTimeOffset? now)
    {
        var result = new JsonObject();
        var required = (schema["required"] as JsonArray ?? []).Select(r => r!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        foreach (var (property, propertySchema) in schema["properties"] as JsonObject ?? [])
        {
            var hinted = hint?.Invoke(property);
            if (!required.Contains(property) && hinted is null) continue;
            result[property] = hinted?.DeepClone() ?? For(document, propertySchema, hint, null, depth + 1, newId, now);
        }
        return result;
    }

    private static bool IsNullOnly(JsonObject schema) => TypeOf(schema) == "null" || schema["type"]?.ToString() == "null";

    /// <summary>The first non-null type of <c>"type": ["null", "string"]</c>; integers also typed as strings are integers.</summary>
    public static string? TypeOf(JsonObject schema) => schema["type"] switch
    {
        JsonArray types => types.Select(t => t!.GetValue<string>()).FirstOrDefault(t => t != "null") ?? "null",
        JsonValue value => value.GetValue<string>(),
        _ => schema["properties"] is not null ? "object" : null,
    };

    /// <summary>A form body (Identity's pages) from the same schema, as name=value pairs.</summary>
    public static string Form(JsonNode? example) =>
        example is JsonObject o
            ? string.Join("&", o.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value?.ToString() ?? "")))
            : "";
}
