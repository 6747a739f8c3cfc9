using System.Text.Json.Nodes;
using Rlvr.Torch.Models;

namespace Rlvr.Torch.Checkpoints;

/// <summary>
/// The stop tokens of a model folder: the union of eos_token_id in config.json and
/// generation_config.json (int or list), and tokenizer_config.json's eos_token resolved through its
/// added_tokens_decoder. Instruct models list several (Qwen2.5: &lt;|im_end|&gt; and &lt;|endoftext|&gt;).
/// </summary>
public sealed record GenerationDefaults(IReadOnlyList<int> EosTokenIds, int? PadTokenId)
{
    /// <summary>Reads the folder's files that exist; missing files contribute nothing.</summary>
    public static GenerationDefaults Read(string directory)
    {
        var eos = new List<int>();
        int? pad = null;
        foreach (var file in new[] { "config.json", "generation_config.json" })
        {
            var json = ReadObject(Path.Combine(directory, file));
            if (json is null) continue;
            eos.AddRange(ModelConfigReader.ReadTokenIds(json["eos_token_id"]));
            if (json["pad_token_id"] is JsonValue p && p.TryGetValue<int>(out var padId)) pad ??= padId;
        }
        var tokenizer = ReadObject(Path.Combine(directory, "tokenizer_config.json"));
        if (tokenizer is not null)
        {
            var eosText = tokenizer["eos_token"] switch
            {
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                JsonObject o => o["content"]?.GetValue<string>(),
                _ => null,
            };
            if (eosText is not null && tokenizer["added_tokens_decoder"] is JsonObject added)
            {
                foreach (var (id, token) in added)
                    if (token?["content"]?.GetValue<string>() == eosText && int.TryParse(id, out var eosId)) eos.Add(eosId);
            }
        }
        return new GenerationDefaults(eos.Distinct().ToArray(), pad);
    }

    private static JsonObject? ReadObject(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message}).", e);
        }
    }
}
