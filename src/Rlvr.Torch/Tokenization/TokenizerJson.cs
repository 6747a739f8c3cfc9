using System.Text;
using System.Text.Json;

namespace Rlvr.Torch.Tokenization;

/// <summary>
/// Reads a Hugging Face tokenizer.json (byte-level BPE only) into the parts of an <see cref="HfTokenizer"/>.
/// Supported: normalizer null / NFC / NFD / NFKC / NFKD / Sequence of those; pre_tokenizer Split
/// (regex, Isolated) / ByteLevel / Sequence; model BPE (merges as "a b" strings or [a, b] pairs,
/// ignore_merges); post_processor ByteLevel / TemplateProcessing / Sequence (for BOS/EOS added with
/// addSpecialTokens). Anything else fails naming the component.
/// </summary>
public static class TokenizerJson
{
    /// <summary>The parsed parts.</summary>
    public sealed record Parts(BpeModel Model, Dictionary<string, int> Vocab, TextNormalizer Normalizer,
        PreTokenizer PreTokenizer, IReadOnlyList<AddedToken> AddedTokens, int[] PrefixIds, int[] SuffixIds);

    public static Parts Parse(string json, string source = "tokenizer.json")
    {
        using var doc = ParseDocument(json, source);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{source}: expected a JSON object (a Hugging Face tokenizer.json), found {root.ValueKind.ToString().ToLowerInvariant()}");
        try { return ParseObject(root, source); }
        catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or FormatException && !e.Message.StartsWith(source))
        {
            // A field of the wrong JSON kind (System.Text.Json names no file): say which file.
            throw new InvalidDataException($"{source}: not a tokenizer.json this reader understands ({e.Message})");
        }
    }

    private static Parts ParseObject(JsonElement root, string source)
    {
        var model = Required(root, "model", source);
        var type = model.TryGetProperty("type", out var t) ? t.GetString() : "BPE";
        if (type != "BPE") throw new NotSupportedException($"{source}: model type '{type}' is not supported (only byte-level BPE)");
        if (model.TryGetProperty("byte_fallback", out var bf) && bf.ValueKind == JsonValueKind.True)
            throw new NotSupportedException($"{source}: BPE with byte_fallback (SentencePiece style) is not supported, only byte-level BPE");

        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in Required(model, "vocab", source).EnumerateObject()) vocab[p.Name] = p.Value.GetInt32();
        var merges = ReadMerges(Required(model, "merges", source), source);
        var ignoreMerges = model.TryGetProperty("ignore_merges", out var im) && im.ValueKind == JsonValueKind.True;

        var added = new List<AddedToken>();
        if (root.TryGetProperty("added_tokens", out var at) && at.ValueKind == JsonValueKind.Array)
        {
            foreach (var a in at.EnumerateArray())
            {
                added.Add(new AddedToken(a.GetProperty("id").GetInt32(), a.GetProperty("content").GetString()!,
                    a.TryGetProperty("special", out var s) && s.GetBoolean(),
                    a.TryGetProperty("lstrip", out var l) && l.GetBoolean(),
                    a.TryGetProperty("rstrip", out var r) && r.GetBoolean()));
            }
        }

        var (prefix, suffix) = root.TryGetProperty("post_processor", out var pp) ? ReadTemplate(pp, source) : ([], []);
        return new Parts(new BpeModel(vocab, merges, ignoreMerges), vocab,
            root.TryGetProperty("normalizer", out var n) ? ReadNormalizer(n, source) : TextNormalizer.None,
            root.TryGetProperty("pre_tokenizer", out var pt) ? ReadPreTokenizer(pt, source) : new PreTokenizer([]),
            added, prefix, suffix);
    }

    private static JsonDocument ParseDocument(string json, string source)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source}: not valid JSON ({e.Message})");
        }
    }

    private static JsonElement Required(JsonElement e, string name, string source) =>
        e.TryGetProperty(name, out var v) ? v : throw new FormatException($"{source}: missing \"{name}\"");

    private static List<(string, string)> ReadMerges(JsonElement merges, string source)
    {
        var list = new List<(string, string)>(merges.GetArrayLength());
        foreach (var m in merges.EnumerateArray())
        {
            if (m.ValueKind == JsonValueKind.String)
            {
                var s = m.GetString()!;
                var space = s.IndexOf(' ', 1);  // a token never starts with a plain space in byte-level BPE
                if (space < 0) throw new FormatException($"{source}: merge '{s}' is not 'left right'");
                list.Add((s[..space], s[(space + 1)..]));
            }
            else if (m.ValueKind == JsonValueKind.Array && m.GetArrayLength() == 2)
            {
                list.Add((m[0].GetString()!, m[1].GetString()!));
            }
            else
            {
                throw new FormatException($"{source}: merge entry {list.Count} is neither \"a b\" nor [a, b]");
            }
        }
        return list;
    }

    private static TextNormalizer ReadNormalizer(JsonElement n, string source)
    {
        if (n.ValueKind == JsonValueKind.Null) return TextNormalizer.None;
        var forms = new List<NormalizationForm>();
        AddForms(n, forms, source);
        return new TextNormalizer(forms);
    }

    private static void AddForms(JsonElement n, List<NormalizationForm> forms, string source)
    {
        var type = n.GetProperty("type").GetString();
        switch (type)
        {
            case "NFC": forms.Add(NormalizationForm.FormC); break;
            case "NFD": forms.Add(NormalizationForm.FormD); break;
            case "NFKC": forms.Add(NormalizationForm.FormKC); break;
            case "NFKD": forms.Add(NormalizationForm.FormKD); break;
            case "Sequence":
                foreach (var inner in n.GetProperty("normalizers").EnumerateArray()) AddForms(inner, forms, source);
                break;
            default: throw new NotSupportedException($"{source}: normalizer '{type}' is not supported (NFC/NFD/NFKC/NFKD/Sequence)");
        }
    }

    private static PreTokenizer ReadPreTokenizer(JsonElement p, string source)
    {
        var steps = new List<PreTokenizer.Step>();
        if (p.ValueKind != JsonValueKind.Null) AddSteps(p, steps, source);
        return new PreTokenizer(steps);
    }

    private static void AddSteps(JsonElement p, List<PreTokenizer.Step> steps, string source)
    {
        var type = p.GetProperty("type").GetString();
        switch (type)
        {
            case "Sequence":
                foreach (var inner in p.GetProperty("pretokenizers").EnumerateArray()) AddSteps(inner, steps, source);
                break;
            case "Split":
                var behavior = p.TryGetProperty("behavior", out var b) ? b.GetString() : "Isolated";
                var invert = p.TryGetProperty("invert", out var inv) && inv.GetBoolean();
                if (behavior != "Isolated" || invert)
                    throw new NotSupportedException($"{source}: Split behavior '{behavior}' (invert {invert}) is not supported, only Isolated");
                var pattern = p.GetProperty("pattern");
                var regex = pattern.TryGetProperty("Regex", out var r) ? r.GetString()!
                    : System.Text.RegularExpressions.Regex.Escape(pattern.GetProperty("String").GetString()!);
                steps.Add(new PreTokenizer.Step(new RegexSplitter(regex), false));
                break;
            case "ByteLevel":
                var prefixSpace = p.TryGetProperty("add_prefix_space", out var aps) && aps.GetBoolean();
                var useRegex = !p.TryGetProperty("use_regex", out var ur) || ur.GetBoolean();
                if (prefixSpace) steps.Add(new PreTokenizer.Step(null, true));
                if (useRegex) steps.Add(new PreTokenizer.Step(new RegexSplitter(PreTokenizer.Gpt2Pattern), false));
                break;
            default: throw new NotSupportedException($"{source}: pre_tokenizer '{type}' is not supported (Split/ByteLevel/Sequence)");
        }
    }

    /// <summary>The special-token ids a TemplateProcessing "single" template puts before and after the text.</summary>
    private static (int[] Prefix, int[] Suffix) ReadTemplate(JsonElement pp, string source)
    {
        if (pp.ValueKind == JsonValueKind.Null) return ([], []);
        var type = pp.GetProperty("type").GetString();
        if (type == "Sequence")
        {
            var prefix = new List<int>();
            var suffix = new List<int>();
            foreach (var inner in pp.GetProperty("processors").EnumerateArray())
            {
                var (p, s) = ReadTemplate(inner, source);
                prefix.AddRange(p);
                suffix.AddRange(s);
            }
            return (prefix.ToArray(), suffix.ToArray());
        }
        if (type != "TemplateProcessing") return ([], []);  // ByteLevel, RobertaProcessing offsets: no ids added for one text

        var specials = pp.GetProperty("special_tokens");
        var before = new List<int>();
        var after = new List<int>();
        var seenSequence = false;
        foreach (var piece in pp.GetProperty("single").EnumerateArray())
        {
            if (piece.TryGetProperty("Sequence", out _))
            {
                seenSequence = true;
                continue;
            }
            var name = piece.GetProperty("SpecialToken").GetProperty("id").GetString()!;
            if (!specials.TryGetProperty(name, out var entry))
                throw new FormatException($"{source}: post_processor template names '{name}' missing from special_tokens");
            foreach (var id in entry.GetProperty("ids").EnumerateArray()) (seenSequence ? after : before).Add(id.GetInt32());
        }
        return (before.ToArray(), after.ToArray());
    }
}
