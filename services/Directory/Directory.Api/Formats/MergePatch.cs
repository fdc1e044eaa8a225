using System.Text.Json;
using System.Text.Json.Nodes;
using Coordination.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Directory.Api.Formats;

/// <summary>
/// JSON Merge Patch (RFC 7386): members present replace, <c>null</c> removes, absent ones stay. The patch is
/// applied to the current resource as a client would write it, and the result is checked by the same rules
/// as a creation, so a PATCH can never store what a POST would refuse.
/// </summary>
public static class MergePatch
{
    public const string MediaType = "application/merge-patch+json";

    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject members) return patch?.DeepClone();
        var result = target is JsonObject current ? (JsonObject)current.DeepClone() : [];
        foreach (var (name, value) in members)
        {
            if (value is null) result.Remove(name);
            else result[name] = Apply(result[name], value);
        }
        return result;
    }

    /// <summary>The current value with the patch applied, or a 400 naming the field the patch made invalid JSON-wise.</summary>
    public static bool TryApply<T>(T current, JsonElement patch, HttpContext http, out T merged, out ValidationProblem? problem)
        where T : class
    {
        merged = current;
        problem = null;
        if (patch.ValueKind != JsonValueKind.Object)
        {
            problem = Problems.Invalid("$", "A JSON object: the members to change (JSON Merge Patch).");
            return false;
        }
        var options = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var node = Apply(JsonSerializer.SerializeToNode(current, options), JsonNode.Parse(patch.GetRawText()));
        try
        {
            merged = node.Deserialize<T>(options) ?? current;
            return true;
        }
        catch (JsonException e)
        {
            problem = Problems.Invalid(JsonPath.ToField(e.Path), "This value has the wrong type or format.");
            return false;
        }
    }
}
