using System.Text.Json;

namespace Rlvr.Torch.Tokenization;

/// <summary>
/// What tokenizer_config.json says about special tokens: the EOS, padding and BOS token strings and
/// whether a BOS is prepended. Token entries may be plain strings or objects with a "content" field.
/// </summary>
public sealed record TokenizerConfig(string? EosToken, string? PadToken, string? BosToken, bool? AddBosToken,
    IReadOnlyList<AddedToken> AddedTokensDecoder)
{
    public static TokenizerConfig Empty { get; } = new(null, null, null, null, []);

    /// <summary>Reads tokenizer_config.json; <paramref name="source"/> names it in errors.</summary>
    public static TokenizerConfig Parse(string json, string source = "tokenizer_config.json")
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var added = new List<AddedToken>();
            if (root.TryGetProperty("added_tokens_decoder", out var decoder) && decoder.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in decoder.EnumerateObject())
                {
                    if (!int.TryParse(p.Name, out var id))
                        throw new FormatException($"{source}: added_tokens_decoder key '{p.Name}' is not an integer id");
                    added.Add(new AddedToken(id, p.Value.GetProperty("content").GetString()!,
                        Bool(p.Value, "special") ?? false, Bool(p.Value, "lstrip") ?? false, Bool(p.Value, "rstrip") ?? false));
                }
            }
            return new TokenizerConfig(TokenString(root, "eos_token"), TokenString(root, "pad_token"),
                TokenString(root, "bos_token"), Bool(root, "add_bos_token"), added);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source}: not valid JSON ({e.Message})");
        }
    }

    private static string? TokenString(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var v)) return null;
        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Object when v.TryGetProperty("content", out var c) => c.GetString(),
            _ => null,
        };
    }

    private static bool? Bool(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;
}
