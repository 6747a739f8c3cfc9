using Rlvr.Core.IO;
using System.Text.Json.Nodes;
using Rlvr.Torch.Tokenization;

namespace Rlvr.Torch.Training.Tiny;

/// <summary>
/// The tiny model's tokenizer, written as a Hugging Face tokenizer.json that transformers and the
/// project's own loader read: byte-level BPE with no merges (one token per byte, ids 0-255 = the
/// byte values) plus one special token, <c>&lt;|endoftext|&gt;</c> (id 256), used as EOS and padding.
/// </summary>
public static class TinyTokenizer
{
    /// <summary>The end-of-sequence (and padding) token.</summary>
    public const string EndOfText = "<|endoftext|>";
    /// <summary>Its id.</summary>
    public const int EndOfTextId = 256;
    /// <summary>Vocabulary size (256 bytes + 1 special).</summary>
    public const int VocabSize = 257;

    /// <summary>Writes tokenizer.json and tokenizer_config.json into <paramref name="directory"/>, with
    /// <paramref name="chatTemplate"/> as the config's chat_template when given.</summary>
    public static void Write(string directory, string? chatTemplate = null)
    {
        Directory.CreateDirectory(directory);
        var vocab = new JsonObject();
        for (int b = 0; b < 256; b++) vocab[ByteLevelAlphabet.Encode((byte)b).ToString()] = b;
        var tokenizer = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(new JsonObject
            {
                ["id"] = EndOfTextId, ["content"] = EndOfText, ["single_word"] = false, ["lstrip"] = false,
                ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
            }),
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = false },
            ["post_processor"] = null,
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = false },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null, ["fuse_unk"] = false, ["byte_fallback"] = false, ["ignore_merges"] = false,
                ["vocab"] = vocab, ["merges"] = new JsonArray(),
            },
        };
        var config = new JsonObject
        {
            ["tokenizer_class"] = "PreTrainedTokenizerFast",
            ["eos_token"] = EndOfText,
            ["pad_token"] = EndOfText,
            ["model_max_length"] = 512,
        };
        if (chatTemplate is not null) config["chat_template"] = chatTemplate;
        AtomicFile.WriteAllText(Path.Combine(directory, "tokenizer.json"), tokenizer.ToJsonString());
        AtomicFile.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), config.ToJsonString());
    }
}
