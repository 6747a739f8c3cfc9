namespace Rlvr.Core.Templates;

/// <summary>
/// ChatML, the Qwen family's chat format, rendered as Hugging Face's apply_chat_template does for a
/// single user message with add_generation_prompt=True:
/// <c>&lt;|im_start|&gt;system\n{system}&lt;|im_end|&gt;\n&lt;|im_start|&gt;user\n{problem}&lt;|im_end|&gt;\n&lt;|im_start|&gt;assistant\n</c>.
/// The system block is left out when the system prompt is null. The problem is inserted verbatim (no trimming).
/// </summary>
public sealed class ChatMlTemplate(string name, string? systemPrompt) : IPromptTemplate
{
    /// <summary>Qwen2.5-Math's default system prompt, inserted by its chat template when the
    /// conversation has none (upstream passes only the user message).</summary>
    public const string QwenMathSystemPrompt = "Please reason step by step, and put your final answer within \\boxed{}.";

    /// <summary>Qwen2.5 (instruct and base) chat templates' default system prompt.</summary>
    public const string Qwen25SystemPrompt = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";

    /// <summary>Qwen2 instruct chat templates' default system prompt.</summary>
    public const string Qwen2SystemPrompt = "You are a helpful assistant.";

    public string Name { get; } = name;

    public string? SystemPrompt { get; } = systemPrompt;

    public IReadOnlyList<string> StopStrings => [];

    public string Render(string problem)
    {
        var system = SystemPrompt == null ? "" : $"<|im_start|>system\n{SystemPrompt}<|im_end|>\n";
        return $"{system}<|im_start|>user\n{problem}<|im_end|>\n<|im_start|>assistant\n";
    }
}
