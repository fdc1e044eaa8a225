using System.Text.Json;
using System.Text.Json.Nodes;

namespace Consents.Api.Privacy.Exporting;

/// <summary>
/// The export a registering body hands over at the person's request leaves out what DESIGN §4 keeps from it: anything
/// about a sensitive body other than its own (a shelter's grant, a referral to it, an appointment there). Parts come
/// from several services in their own shapes, so the rule is structural: an entry of any list that names such a
/// body's id (itself or in an object inside it) is dropped whole, lists inside entries are filtered the same way, and a
/// lone reference outside a list is blanked. The person's own
/// export keeps everything (ADR 0073).
/// </summary>
public static class SensitiveBodiesFilter
{
    public static PersonExportDocument Without(PersonExportDocument document, IReadOnlySet<Guid> hidden)
    {
        if (hidden.Count == 0) return document;
        var ids = hidden.Select(id => id.ToString()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var sections = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (name, section) in document.Sections)
        {
            var node = JsonNode.Parse(section.GetRawText());
            var kept = Filter(node, ids);
            sections[name] = JsonSerializer.SerializeToElement(kept);
        }
        return document with { Sections = sections };
    }

    private static JsonNode? Filter(JsonNode? node, HashSet<string> ids)
    {
        switch (node)
        {
            case JsonArray array:
                var kept = new JsonArray();
                foreach (var item in array.ToList())
                {
                    if (Mentions(item, ids)) continue;
                    array.Remove(item);
                    kept.Add(Filter(item, ids));
                }
                return kept;
            case JsonObject obj:
                foreach (var (key, value) in obj.ToList())
                {
                    obj[key] = IsHidden(value, ids) ? null : Filter(value?.DeepClone(), ids);
                }
                return obj;
            default:
                return node;
        }
    }

    // An entry is about the body when it, or an object inside it, names the body; a list inside it is filtered on its
    // own (a referral to the CAF stays, the step of its history that went through a shelter goes).
    private static bool Mentions(JsonNode? node, HashSet<string> ids) => node switch
    {
        JsonArray => false,
        JsonObject obj => obj.Any(p => Mentions(p.Value, ids)),
        _ => IsHidden(node, ids),
    };

    private static bool IsHidden(JsonNode? node, HashSet<string> ids) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && ids.Contains(text);
}
