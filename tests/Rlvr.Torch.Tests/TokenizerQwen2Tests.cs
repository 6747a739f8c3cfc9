using System.Text.Json;
using Rlvr.Tests;
using Rlvr.Torch.Tokenization;

namespace Rlvr.Torch.Tests;

/// <summary>The Qwen2 tokenizer against ids that Hugging Face `tokenizers` / transformers produced (tests/fixtures/qwen2-tokenizer).</summary>
public sealed class TokenizerQwen2Tests
{
    private static readonly Lazy<HfTokenizer> Qwen2 = new(() => HfTokenizer.Load(RepoPaths.Fixtures("qwen2-tokenizer")));

    private sealed record Case(string Text, int[] Ids, string? Decoded);

    private static List<Case> ReadCases(string path, bool wrapped)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var array = wrapped ? doc.RootElement.GetProperty("cases") : doc.RootElement;
        return array.EnumerateArray().Select(c => new Case(
            c.GetProperty("text").GetString()!,
            c.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32()).ToArray(),
            c.TryGetProperty("decoded", out var d) ? d.GetString() : null)).ToList();
    }

    [Fact]
    public void All716ReferenceCasesEncodeToHfIdsAndDecodeBack()
    {
        var cases = ReadCases(RepoPaths.Fixtures("qwen2-tokenizer", "tokenizer_reference.json"), wrapped: true);
        Assert.Equal(716, cases.Count);
        var idFailures = new List<string>();
        var decodeFailures = new List<string>();
        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var ids = Qwen2.Value.Encode(c.Text);
            if (!ids.SequenceEqual(c.Ids)) idFailures.Add($"case {i}: {Abbrev(c.Text)}");
            if (Qwen2.Value.Decode(c.Ids) != c.Decoded) decodeFailures.Add($"case {i}: {Abbrev(c.Text)}");
        }
        Assert.True(idFailures.Count == 0, $"{idFailures.Count} id mismatches, first: {string.Join("; ", idFailures.Take(5))}");
        Assert.True(decodeFailures.Count == 0, $"{decodeFailures.Count} decode mismatches, first: {string.Join("; ", decodeFailures.Take(5))}");
    }

    [Fact]
    public void TransformersOwnQwen2TestSequencesMatch()
    {
        var cases = ReadCases(RepoPaths.Fixtures("qwen2-tokenizer", "hf_test_ids.json"), wrapped: false);
        Assert.Equal(3, cases.Count);
        foreach (var c in cases)
        {
            Assert.Equal(c.Ids, Qwen2.Value.Encode(c.Text));
            Assert.Equal(c.Text, Qwen2.Value.Decode(c.Ids));
        }
    }

    [Fact]
    public void SpecialTokensAreKeptWholeAndConfigIdsResolve()
    {
        var t = Qwen2.Value;
        // Ids from the fixture's tokenizer_config.json added_tokens_decoder.
        Assert.Equal(151645, t.EosTokenId);  // eos_token <|im_end|>
        Assert.Equal(151643, t.PadTokenId);  // pad_token <|endoftext|>
        Assert.Null(t.BosTokenId);
        Assert.Equal(151646, t.VocabSize);   // 151643 BPE tokens + 3 specials
        var ids = t.Encode("a<|im_start|>b<|im_end|>");
        Assert.Equal([64, 151644, 65, 151645], ids);  // 'a' = 64, 'b' = 65 in the byte-level vocabulary
        Assert.Equal("ab", t.Decode(ids, skipSpecialTokens: true));
        Assert.True(t.IsSpecial(151645));
        Assert.False(t.IsSpecial(64));
    }

    [Fact]
    public void DecodeRangeReturnsTheTextOfASlice()
    {
        var t = Qwen2.Value;
        var ids = t.Encode("The answer is </answer> done");
        var whole = t.Decode(ids);
        Assert.Equal("The answer is </answer> done", whole);
        var tail = t.DecodeRange(ids, 3, ids.Length - 3);
        Assert.EndsWith(tail, whole);
        Assert.Equal(whole, t.DecodeRange(ids, 0, 3) + tail);
        Assert.Throws<ArgumentOutOfRangeException>(() => t.DecodeRange(ids, 2, ids.Length));
    }

    [Fact]
    public void LoneSurrogateEncodesAsReplacementCharacterInsteadOfThrowing()
    {
        var t = Qwen2.Value;
        Assert.Equal(t.Encode("x\uFFFDy"), t.Encode("x\uD800y"));
        Assert.Equal("x\uFFFDy", t.Decode(t.Encode("x\uDC00y")));
    }

    [Fact]
    public void IncompleteUtf8DecodesToOneReplacementCharacter()
    {
        // '数' is E6 95 B0 in UTF-8. Its first two bytes alone are a truncated sequence: HF's
        // errors="replace" (and Rust's from_utf8_lossy) give one U+FFFD for them.
        var t = Qwen2.Value;
        int Byte(byte b) => t.TokenToId(ByteLevelAlphabet.Encode(b).ToString())!.Value;
        Assert.Equal("\uFFFD", t.Decode([Byte(0xE6), Byte(0x95)]));
        Assert.Equal("数", t.Decode([Byte(0xE6), Byte(0x95), Byte(0xB0)]));
        Assert.Equal("\u0120", t.IdToToken(220));  // id 220 is 'Ġ' = byte 32, a space
    }

    [Fact]
    public void IdsBeyondTheTokenizerDecodeToNothingAsInHf()
    {
        // Qwen2.5 checkpoints have 151,936 embedding rows for 151,646 tokenizer ids; a sampled padding
        // row must not crash decoding (HF's decode skips ids it does not know).
        var t = Qwen2.Value;
        Assert.Equal("ab", t.Decode([64, 151_900, 65]));
        Assert.Null(t.IdToToken(151_900));
    }

    [Fact]
    public void MissingTokenizerJsonFailsNamingThePath()
    {
        var dir = Path.Combine(Path.GetTempPath(), "rlvr-no-tokenizer-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var e = Assert.Throws<FileNotFoundException>(() => HfTokenizer.Load(dir));
            Assert.Contains("tokenizer.json", e.Message);
        }
        finally
        {
            Directory.Delete(dir);
        }
    }

    private static string Abbrev(string s) => s.Length <= 40 ? s : s[..40] + "...";
}
