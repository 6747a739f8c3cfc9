namespace Rlvr.Core.Templates;

/// <summary>Options some templates take.</summary>
/// <param name="SystemPrompt">The system prompt of `chatml` (none by default) or of the Llama templates; overrides the default of qwen-math / qwen2.5.</param>
/// <param name="LlamaDate">The "Today Date" of the `llama3` template (default "26 Jul 2024").</param>
/// <param name="StopStrings">Stop strings for a template file.</param>
public sealed record TemplateOptions(string? SystemPrompt = null, string? LlamaDate = null, IReadOnlyList<string>? StopStrings = null)
{
    public static TemplateOptions Default { get; } = new();
}

/// <summary>
/// The prompt templates by name (`--template`):
/// <list type="bullet">
/// <item><c>qwen-math</c>: ChatML with Qwen2.5-Math's system prompt, byte for byte what upstream training and evaluation feed Qwen2.5-Math.</item>
/// <item><c>qwen2.5</c>: ChatML with Qwen2.5's default system prompt ("You are Qwen, created by Alibaba Cloud. ...").</item>
/// <item><c>chatml</c>: ChatML; a system block only when <see cref="TemplateOptions.SystemPrompt"/> is set.</item>
/// <item><c>llama3</c>: Llama-3.1/3.2 Instruct (dated system block); <c>llama3.0</c>: Meta-Llama-3-Instruct.</item>
/// <item><c>olmo2</c>: the Tulu format of OLMo-2 SFT / Instruct, starting with OLMo-2's BOS "&lt;|endoftext|&gt;".</item>
/// <item><c>r1</c>: the base-model template of eval_checkpoint.py (real newlines, stop "&lt;/answer&gt;");
/// <c>r1-train-script</c>: the same with the literal backslash-n the training script produced.</item>
/// <item><c>raw</c>: the problem unchanged.</item>
/// <item>anything else that is an existing file: a template file with a <c>{problem}</c> placeholder.</item>
/// </list>
/// </summary>
public static class PromptTemplates
{
    public static readonly IReadOnlyList<string> Names = ["qwen-math", "qwen2.5", "chatml", "llama3", "llama3.0", "olmo2", "r1", "r1-train-script", "raw"];

    public static IPromptTemplate Create(string nameOrFile, TemplateOptions? options = null)
    {
        options ??= TemplateOptions.Default;
        return nameOrFile.ToLowerInvariant() switch
        {
            "qwen-math" => new ChatMlTemplate("qwen-math", options.SystemPrompt ?? ChatMlTemplate.QwenMathSystemPrompt),
            "qwen2.5" => new ChatMlTemplate("qwen2.5", options.SystemPrompt ?? ChatMlTemplate.Qwen25SystemPrompt),
            "chatml" => new ChatMlTemplate("chatml", options.SystemPrompt),
            "llama3" => new Llama3Template(dated: true, options.LlamaDate, options.SystemPrompt),
            "llama3.0" => new Llama3Template(dated: false, null, options.SystemPrompt),
            "olmo2" => new TuluTemplate(TuluTemplate.OlmoBos, options.SystemPrompt),
            "r1" => new R1Template(literalBackslashN: false),
            "r1-train-script" => new R1Template(literalBackslashN: true),
            "raw" => new RawTemplate(),
            _ when File.Exists(nameOrFile) => new FileTemplate(nameOrFile, options.StopStrings),
            _ => throw new TemplateException(
                $"--template {nameOrFile}: unknown template; expected one of {string.Join(", ", Names)}, or a file with a {FileTemplate.Placeholder} placeholder"),
        };
    }
}
