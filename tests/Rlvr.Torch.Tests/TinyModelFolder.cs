using Rlvr.Tests;

namespace Rlvr.Torch.Tests;

/// <summary>
/// A tiny real Hugging Face model folder for end-to-end tests: the qwen2-tied fixture weights (made by
/// transformers) with the tiny ChatML tokenizer fixture, copied into <c>parent/name</c>.
/// </summary>
internal static class TinyModelFolder
{
    public static string Create(string parent, string name = "tiny-qwen2")
    {
        var folder = Directory.CreateDirectory(Path.Combine(parent, name)).FullName;
        foreach (var f in new[] { "config.json", "generation_config.json", "model.safetensors" })
            File.Copy(RepoPaths.Fixtures("qwen2-tied", f), Path.Combine(folder, f));
        foreach (var f in new[] { "tokenizer.json", "tokenizer_config.json" })
            File.Copy(RepoPaths.Fixtures("tiny-chatml-tokenizer", f), Path.Combine(folder, f));
        return folder;
    }
}
