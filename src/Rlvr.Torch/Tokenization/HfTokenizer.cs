using System.Text;

namespace Rlvr.Torch.Tokenization;

/// <summary>
/// A Hugging Face byte-level BPE tokenizer (Qwen2/Qwen2.5, Llama 3, OLMo 2, GPT-2 style) loaded from
/// tokenizer.json and tokenizer_config.json. Encoding: added tokens are cut out whole, the text between
/// them is normalised, pre-tokenized by regex and BPE-merged. Decoding maps ids back to bytes and
/// reads them as UTF-8, replacing invalid sequences with U+FFFD (HF's errors="replace").
/// Thread-safe after construction.
/// </summary>
public sealed class HfTokenizer
{
    private readonly TokenizerJson.Parts _parts;
    private readonly AddedTokenSplitter _splitter;
    private readonly string?[] _idToToken;
    private readonly Dictionary<int, AddedToken> _addedById;

    private HfTokenizer(TokenizerJson.Parts parts, TokenizerConfig config)
    {
        _parts = parts;
        _addedById = new Dictionary<int, AddedToken>();
        foreach (var t in parts.AddedTokens) _addedById[t.Id] = t;
        foreach (var t in config.AddedTokensDecoder) _addedById.TryAdd(t.Id, t);  // tokenizer.json wins where both list one
        AddedTokens = _addedById.Values.OrderBy(t => t.Id).ToArray();
        _splitter = new AddedTokenSplitter(AddedTokens);

        var maxId = Math.Max(parts.Vocab.Count == 0 ? -1 : parts.Vocab.Values.Max(), AddedTokens.Count == 0 ? -1 : AddedTokens[^1].Id);
        VocabSize = maxId + 1;
        _idToToken = new string?[VocabSize];
        foreach (var (token, id) in parts.Vocab) _idToToken[id] = token;

        EosTokenId = IdOf(config.EosToken, "eos_token");
        PadTokenId = IdOf(config.PadToken, "pad_token");
        BosTokenId = IdOf(config.BosToken, "bos_token");
        _prefixIds = config.AddBosToken == true && BosTokenId is int bos && parts.PrefixIds.Length == 0 ? [bos] : parts.PrefixIds;
    }

    private readonly int[] _prefixIds;

    /// <summary>Ids 0..VocabSize-1 cover the BPE vocabulary and every added token (HF's len(tokenizer)).</summary>
    public int VocabSize { get; }

    /// <summary>Added tokens (specials and others), by id.</summary>
    public IReadOnlyList<AddedToken> AddedTokens { get; }

    /// <summary>The id of tokenizer_config.json's eos_token, if any (generation_config.json may name more).</summary>
    public int? EosTokenId { get; }

    /// <summary>The id of tokenizer_config.json's pad_token, if any.</summary>
    public int? PadTokenId { get; }

    /// <summary>The id of tokenizer_config.json's bos_token, if any.</summary>
    public int? BosTokenId { get; }

    /// <summary>
    /// Refuses a tokenizer whose ids reach past the model's embedding table (a tokenizer.json of another
    /// model): otherwise the first such token fails deep in libtorch as "index out of range in self".
    /// </summary>
    public void CheckFits(Models.ModelConfig model, string folder)
    {
        if (VocabSize > model.VocabSize)
            throw new InvalidDataException($"{Path.Combine(folder, "tokenizer.json")}: token ids go up to {VocabSize - 1}, past the model's vocab_size " +
                $"{model.VocabSize} (config.json): the tokenizer belongs to another model");
    }

    /// <summary>Loads tokenizer.json (required) and tokenizer_config.json (optional) from a model folder.</summary>
    public static HfTokenizer Load(string directory)
    {
        var jsonPath = Path.Combine(directory, "tokenizer.json");
        if (!File.Exists(jsonPath)) throw new FileNotFoundException($"{jsonPath}: not found (a byte-level BPE tokenizer.json is required)", jsonPath);
        var configPath = Path.Combine(directory, "tokenizer_config.json");
        var config = File.Exists(configPath) ? TokenizerConfig.Parse(File.ReadAllText(configPath), configPath) : TokenizerConfig.Empty;
        return new HfTokenizer(TokenizerJson.Parse(File.ReadAllText(jsonPath), jsonPath), config);
    }

    /// <summary>Builds a tokenizer from the text of tokenizer.json and (optionally) tokenizer_config.json.</summary>
    public static HfTokenizer FromJson(string tokenizerJson, string? tokenizerConfigJson = null) =>
        new(TokenizerJson.Parse(tokenizerJson),
            tokenizerConfigJson == null ? TokenizerConfig.Empty : TokenizerConfig.Parse(tokenizerConfigJson));

    /// <summary>The ids of <paramref name="text"/>. With <paramref name="addSpecialTokens"/> the post-processor's
    /// template (e.g. Llama 3's BOS) is applied; chat prompts usually spell their specials out and pass false.</summary>
    public int[] Encode(string text, bool addSpecialTokens = false)
    {
        var ids = new List<int>(text.Length / 3 + 4);
        if (addSpecialTokens) ids.AddRange(_prefixIds);
        foreach (var segment in _splitter.Split(text))
        {
            if (segment.Token != null)
            {
                ids.Add(segment.Token.Id);
                continue;
            }
            var normalized = _parts.Normalizer.Normalize(segment.Text!);
            foreach (var piece in _parts.PreTokenizer.Split(normalized))
            {
                _parts.Model.Encode(piece, ids);  // UTF-8 encoding turns a lone surrogate into U+FFFD
            }
        }
        if (addSpecialTokens) ids.AddRange(_parts.SuffixIds);
        return ids.ToArray();
    }

    /// <summary>The text of <paramref name="ids"/>; with <paramref name="skipSpecialTokens"/> special added tokens are left out.
    /// Ids outside the vocabulary are skipped (as Hugging Face `tokenizers` does).</summary>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false)
    {
        var text = new StringBuilder();
        var pending = new List<byte>();
        foreach (var id in ids)
        {
            if (_addedById.TryGetValue(id, out var added))
            {
                Flush(pending, text);
                if (!(skipSpecialTokens && added.Special)) text.Append(added.Content);
                continue;
            }
            // An id the tokenizer does not know (a model's embedding table is often padded beyond the
            // tokenizer, e.g. Qwen2.5's 151,936 rows for 151,665 tokens) decodes to nothing, as in HF.
            var token = id >= 0 && id < _idToToken.Length ? _idToToken[id] : null;
            if (token == null) continue;
            if (!ByteLevelAlphabet.TryDecode(token, pending))
                throw new InvalidOperationException($"token {id} '{token}' holds a character outside the byte-level alphabet");
        }
        Flush(pending, text);
        return text.ToString();
    }

    /// <summary>The text of ids[start .. start+count), e.g. the newly generated tail when checking stop strings.</summary>
    public string DecodeRange(IReadOnlyList<int> ids, int start, int count, bool skipSpecialTokens = false)
    {
        if (start < 0 || count < 0 || start + count > ids.Count)
            throw new ArgumentOutOfRangeException(nameof(start), $"range [{start}, {start + count}) is outside 0..{ids.Count}");
        var slice = new int[count];
        for (var i = 0; i < count; i++) slice[i] = ids[start + i];
        return Decode(slice, skipSpecialTokens);
    }

    /// <summary>The id of a token string (a vocabulary entry in byte-level characters, or an added token's content).</summary>
    public int? TokenToId(string token)
    {
        if (_parts.Vocab.TryGetValue(token, out var id)) return id;
        foreach (var t in AddedTokens)
        {
            if (t.Content == token) return t.Id;
        }
        return null;
    }

    /// <summary>The token string of an id (byte-level characters for BPE tokens), or null if unused.</summary>
    public string? IdToToken(int id)
    {
        if (_addedById.TryGetValue(id, out var added)) return added.Content;
        return id >= 0 && id < _idToToken.Length ? _idToToken[id] : null;
    }

    /// <summary>Whether <paramref name="id"/> is a special added token (such as EOS).</summary>
    public bool IsSpecial(int id) => _addedById.TryGetValue(id, out var t) && t.Special;

    private int? IdOf(string? token, string field)
    {
        if (token == null) return null;
        return TokenToId(token) ?? throw new FormatException($"tokenizer_config.json: {field} '{token}' is not a known token");
    }

    private static void Flush(List<byte> pending, StringBuilder text)
    {
        if (pending.Count == 0) return;
        text.Append(Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pending)));
        pending.Clear();
    }
}
