using System.Text.Json.Nodes;

namespace Coordination.Secrecy.Gate.Privacy;

/// <summary>
/// Masks the personal members of a stored JSON text (a replayable answer, a webhook body) by name, wherever they are,
/// so that a stored copy of an answer is erased like the documents it was made from.
/// </summary>
public static class JsonMasking
{
    /// <summary>The members of the answers and bodies this system stores that can hold a person's own data.</summary>
    public static readonly IReadOnlySet<string> PersonalFields = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "givenName", "familyName", "displayName", "name", "birthDate", "phone", "email", "mandateReference", "reason", "note",
        "revocationReason", "login",
    };

    public static string Mask(string json, IReadOnlySet<string> fields)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (System.Text.Json.JsonException)
        {
            return json;
        }
        if (root is null || !Walk(root, fields)) return json;
        return root.ToJsonString();
    }

    private static bool Walk(JsonNode node, IReadOnlySet<string> fields)
    {
        var changed = false;
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o.ToList())
                {
                    if (value is null) continue;
                    if (fields.Contains(key) && value is JsonValue v && v.TryGetValue<string>(out var text) && text != Erased.Text)
                    {
                        o[key] = Erased.Text;
                        changed = true;
                    }
                    else if (value is JsonObject or JsonArray)
                    {
                        changed |= Walk(value, fields);
                    }
                }
                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    if (item is not null) changed |= Walk(item, fields);
                }
                break;
        }
        return changed;
    }
}
