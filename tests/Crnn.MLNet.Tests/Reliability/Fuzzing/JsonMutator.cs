using System.Text;
using System.Text.Json.Nodes;

namespace Crnn.MLNet.Tests.Reliability.Fuzzing;

/// <summary>
/// Structure-aware mutations of JSON: replaces, removes or duplicates values anywhere in the tree with awkward ones
/// (nulls, wrong types, negative, zero and huge numbers, empty and long strings, deep nesting). Falls back to byte
/// mutations when the seed does not parse.
/// </summary>
internal static class JsonMutator
{
    public static byte[] Mutate(byte[] seed, IReadOnlyList<byte[]> corpus, Random rng)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(seed); }
        catch (System.Text.Json.JsonException) { return Mutator.Mutate(seed, corpus, rng); }
        if (root is null) return Mutator.Mutate(seed, corpus, rng);
        int rounds = 1 + rng.Next(3);
        for (int r = 0; r < rounds; r++)
        {
            var nodes = new List<JsonNode>();
            Collect(root, nodes);
            var target = nodes[rng.Next(nodes.Count)];
            var parent = target.Parent;
            if (parent is null) continue;
            switch (rng.Next(4))
            {
                case 0 when parent is JsonObject o:
                    o.Remove(target.GetPropertyName());
                    break;
                case 1 when parent is JsonArray a:
                    a.Add(Awkward(rng));
                    break;
                default:
                    target.ReplaceWith(Awkward(rng));
                    break;
            }
        }
        string text = root.ToJsonString();
        // Sometimes cut the text, as a truncated write would.
        if (rng.Next(8) == 0) text = text[..rng.Next(text.Length)];
        return Encoding.UTF8.GetBytes(text);
    }

    private static void Collect(JsonNode node, List<JsonNode> into)
    {
        into.Add(node);
        if (node is JsonObject o) foreach (var (_, v) in o) { if (v is not null) Collect(v, into); }
        else if (node is JsonArray a) foreach (var v in a) { if (v is not null) Collect(v, into); }
    }

    private static JsonNode? Awkward(Random rng) => rng.Next(16) switch
    {
        0 => null,
        1 => JsonValue.Create(-1),
        2 => JsonValue.Create(0),
        3 => JsonValue.Create(int.MaxValue),
        4 => JsonValue.Create(1e308),
        5 => JsonValue.Create(""),
        6 => JsonValue.Create(new string('x', 1 + rng.Next(5000))),
        7 => new JsonArray(),
        8 => new JsonObject(),
        9 => JsonValue.Create(-0.0),
        10 => JsonValue.Create(65536),
        11 => Nest(rng.Next(40)),
        12 => new JsonArray(Enumerable.Range(0, 1 + rng.Next(20000)).Select(i => (JsonNode?)JsonValue.Create(i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray()),
        13 => JsonValue.Create("BoundingBox"),
        14 => new JsonArray(JsonValue.Create("a"), JsonValue.Create("a")),
        _ => JsonValue.Create(rng.Next(-5, 100000)),
    };

    private static JsonNode Nest(int depth)
    {
        JsonNode node = new JsonArray();
        for (int i = 0; i < depth; i++) node = new JsonArray(node);
        return node;
    }
}
