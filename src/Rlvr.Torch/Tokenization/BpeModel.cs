using System.Collections.Concurrent;
using System.Text;

namespace Rlvr.Torch.Tokenization;

/// <summary>
/// Byte-level BPE over one pre-tokenized piece: the piece's UTF-8 bytes become byte-level characters,
/// each character starts as its own symbol, and the adjacent pair with the lowest merge rank is merged
/// until no ranked pair is left (the leftmost pair wins a tie, as in Hugging Face `tokenizers`).
/// With <c>ignore_merges</c> (Llama 3) a piece that is itself in the vocabulary is emitted whole.
/// </summary>
public sealed class BpeModel
{
    private const int CacheLimit = 200_000;

    private readonly Dictionary<string, int> _vocab;
    private readonly Dictionary<long, (int Rank, int Merged)> _merges;
    private readonly int[] _byteIds = new int[256];
    private readonly bool _ignoreMerges;
    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);

    /// <param name="vocab">token string (byte-level characters) → id.</param>
    /// <param name="merges">merge rules in rank order (first = applied first).</param>
    /// <param name="ignoreMerges">emit a piece found whole in the vocabulary without merging (HF "ignore_merges").</param>
    public BpeModel(Dictionary<string, int> vocab, IReadOnlyList<(string Left, string Right)> merges, bool ignoreMerges)
    {
        _vocab = vocab;
        _ignoreMerges = ignoreMerges;
        for (var b = 0; b < 256; b++)
        {
            var symbol = ByteLevelAlphabet.Encode((byte)b).ToString();
            if (!vocab.TryGetValue(symbol, out _byteIds[b]))
                throw new FormatException($"tokenizer.json: byte-level vocabulary lacks the symbol for byte {b} ('{symbol}')");
        }
        _merges = new Dictionary<long, (int, int)>(merges.Count);
        for (var rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            if (!vocab.TryGetValue(left, out var l) || !vocab.TryGetValue(right, out var r) ||
                !vocab.TryGetValue(left + right, out var merged))
                throw new FormatException($"tokenizer.json: merge {rank} ('{left} {right}') names a token missing from the vocabulary");
            _merges.TryAdd(Key(l, r), (rank, merged));  // a repeated rule keeps its first (best) rank
        }
    }

    /// <summary>Appends the ids of one piece of text.</summary>
    public void Encode(string piece, List<int> ids)
    {
        if (piece.Length == 0) return;
        if (!_cache.TryGetValue(piece, out var cached))
        {
            cached = EncodeUncached(piece);
            if (_cache.Count >= CacheLimit) _cache.Clear();  // bounded memory; the cache only saves time
            _cache[piece] = cached;
        }
        ids.AddRange(cached);
    }

    private int[] EncodeUncached(string piece)
    {
        var bytes = Encoding.UTF8.GetBytes(piece);
        if (_ignoreMerges && _vocab.TryGetValue(ByteLevelAlphabet.Encode(bytes), out var whole)) return [whole];

        var symbols = new List<int>(bytes.Length);
        foreach (var b in bytes) symbols.Add(_byteIds[b]);
        while (symbols.Count > 1)
        {
            var bestRank = int.MaxValue;
            var bestAt = -1;
            var bestMerged = 0;
            for (var i = 0; i + 1 < symbols.Count; i++)
            {
                if (_merges.TryGetValue(Key(symbols[i], symbols[i + 1]), out var m) && m.Rank < bestRank)
                {
                    bestRank = m.Rank;
                    bestAt = i;
                    bestMerged = m.Merged;
                }
            }
            if (bestAt < 0) break;
            // Merge every non-overlapping occurrence of the best pair, left to right.
            var left = symbols[bestAt];
            var right = symbols[bestAt + 1];
            var merged = new List<int>(symbols.Count - 1);
            for (var i = 0; i < symbols.Count; i++)
            {
                if (i >= bestAt && i + 1 < symbols.Count && symbols[i] == left && symbols[i + 1] == right)
                {
                    merged.Add(bestMerged);
                    i++;
                }
                else
                {
                    merged.Add(symbols[i]);
                }
            }
            symbols = merged;
        }
        return symbols.ToArray();
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;
}
