namespace Rlvr.Core.Templates;

/// <summary>
/// The Tulu chat format of OLMo-2 SFT / Instruct models (allenai/OLMo-2-1124-7B-SFT's template), rendered
/// as Hugging Face's apply_chat_template does for one user message with add_generation_prompt=True:
/// <c>{bos}&lt;|user|&gt;\n{problem}\n&lt;|assistant|&gt;\n</c>, with <c>&lt;|system|&gt;\n{system}\n</c> first
/// when a system prompt is given. The template starts with <c>{{ bos_token }}</c>; OLMo-2's is
/// "&lt;|endoftext|&gt;". Contents are inserted verbatim (no trim).
/// </summary>
public sealed class TuluTemplate(string bosToken, string? systemPrompt) : IPromptTemplate
{
    /// <summary>OLMo-2's bos_token.</summary>
    public const string OlmoBos = "<|endoftext|>";

    public string Name => "olmo2";

    public IReadOnlyList<string> StopStrings => [];

    public string Render(string problem)
    {
        var system = systemPrompt == null ? "" : $"<|system|>\n{systemPrompt}\n";
        return $"{bosToken}{system}<|user|>\n{problem}\n<|assistant|>\n";
    }
}
