using System.Text.Json;

namespace Rlvr.Core.Templates;

/// <summary>
/// Recognises the chat template in a model folder's tokenizer_config.json and returns the matching
/// built-in template. We do not run Jinja: the known templates are identified by substrings only
/// they contain, and rendered by hand-written equivalents (qwen-math is tested byte for byte against
/// Hugging Face output; the others against strings rendered by hand from the Jinja). A template we do
/// not know fails with a message naming --template.
/// <list type="table">
/// <item><term>Qwen2.5-Math</term><description>ChatML and "Please reason step by step, and put your final answer within" → qwen-math</description></item>
/// <item><term>Qwen2.5</term><description>ChatML and "You are Qwen, created by Alibaba Cloud." → qwen2.5</description></item>
/// <item><term>Qwen2 (Instruct)</term><description>ChatML and <c>set system_message = 'You are a helpful assistant.'</c> → chatml with that system prompt</description></item>
/// <item><term>Llama-3.1 / 3.2</term><description>"&lt;|start_header_id|&gt;", "&lt;|eot_id|&gt;" and "Cutting Knowledge Date" → llama3</description></item>
/// <item><term>Llama-3</term><description>"&lt;|start_header_id|&gt;" and "&lt;|eot_id|&gt;" without the date block → llama3.0</description></item>
/// <item><term>OLMo-2 SFT / Instruct (Tulu)</term><description>"&lt;|user|&gt;\n" and "&lt;|assistant|&gt;\n" message markers → olmo2, with the config's bos_token when the template writes it</description></item>
/// </list>
/// </summary>
public static class ChatTemplateDetector
{
    private const string ChooseHint = "choose a prompt template with --template (qwen-math, qwen2.5, chatml, llama3, llama3.0, olmo2, r1, raw, or a file with {problem})";

    /// <summary>The template for the model in <paramref name="modelFolder"/>. A system prompt or Llama
    /// date in <paramref name="options"/> overrides the template's default, as passing a system
    /// message to apply_chat_template would.</summary>
    public static IPromptTemplate FromModelFolder(string modelFolder, TemplateOptions? options = null)
    {
        var path = Path.Combine(modelFolder, "tokenizer_config.json");
        if (!File.Exists(path)) throw new TemplateException($"{path}: not found; {ChooseHint}");
        string? jinja;
        string? bos;
        try
        {
            (jinja, bos) = ReadConfig(path);
        }
        catch (JsonException e)
        {
            throw new TemplateException($"{path}: invalid JSON at line {e.LineNumber + 1}; {ChooseHint}");
        }
        // transformers since 4.43 may keep the template beside the config, in chat_template.jinja.
        var separate = Path.Combine(modelFolder, "chat_template.jinja");
        if (jinja == null && File.Exists(separate)) jinja = File.ReadAllText(separate);
        if (jinja == null) throw new TemplateException($"{path}: the model has no chat_template (a base model?); {ChooseHint}");
        return Recognise(jinja, options, bos)
            ?? throw new TemplateException($"{path}: its chat_template is not one rlvr knows (Qwen2.5-Math, Qwen2.5, Qwen2, Llama-3, OLMo-2); {ChooseHint}");
    }

    /// <summary>The built-in template equal to this Jinja chat template, or null when it is not a known one.</summary>
    /// <param name="jinja">The chat_template text.</param>
    /// <param name="options">System prompt / date overrides.</param>
    /// <param name="bosToken">The tokenizer's bos_token, for templates that write <c>{{ bos_token }}</c> (OLMo-2's when null).</param>
    public static IPromptTemplate? Recognise(string jinja, TemplateOptions? options = null, string? bosToken = null)
    {
        options ??= TemplateOptions.Default;
        if (jinja.Trim() == RawTemplate.ChatTemplate) return PromptTemplates.Create("raw", options);
        if (jinja.Contains("<|im_start|>", StringComparison.Ordinal))
        {
            if (jinja.Contains("Please reason step by step, and put your final answer within", StringComparison.Ordinal))
            {
                return PromptTemplates.Create("qwen-math", options);
            }
            if (jinja.Contains(ChatMlTemplate.Qwen25SystemPrompt, StringComparison.Ordinal))
            {
                return PromptTemplates.Create("qwen2.5", options);
            }
            if (jinja.Contains("{% set system_message = 'You are a helpful assistant.' %}", StringComparison.Ordinal))
            {
                return new ChatMlTemplate("qwen2", options.SystemPrompt ?? ChatMlTemplate.Qwen2SystemPrompt);
            }
            return null;
        }
        if (jinja.Contains("<|start_header_id|>", StringComparison.Ordinal) && jinja.Contains("<|eot_id|>", StringComparison.Ordinal))
        {
            var dated = jinja.Contains("Cutting Knowledge Date: December 2023", StringComparison.Ordinal);
            return PromptTemplates.Create(dated ? "llama3" : "llama3.0", options);
        }
        // In the JSON-decoded template the newline is still a Jinja escape: backslash, n.
        if (jinja.Contains("'<|user|>\\n' + message['content'] + '\\n'", StringComparison.Ordinal)
            && jinja.Contains("'<|assistant|>\\n'", StringComparison.Ordinal))
        {
            var bos = jinja.Contains("{{ bos_token }}", StringComparison.Ordinal) ? bosToken ?? TuluTemplate.OlmoBos : "";
            return new TuluTemplate(bos, options.SystemPrompt);
        }
        return null;
    }

    /// <summary>The chat_template string (for the list form [{name, template}], the one named "default";
    /// null when absent) and the bos_token (a string, or an object with "content"; null when absent).</summary>
    private static (string? ChatTemplate, string? BosToken) ReadConfig(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        string? bos = null;
        if (root.TryGetProperty("bos_token", out var bosValue))
        {
            bos = bosValue.ValueKind switch
            {
                JsonValueKind.String => bosValue.GetString(),
                JsonValueKind.Object when bosValue.TryGetProperty("content", out var content) => content.GetString(),
                _ => null,
            };
        }
        if (!root.TryGetProperty("chat_template", out var template)) return (null, bos);
        return (ChatTemplate(template), bos);
    }

    private static string? ChatTemplate(JsonElement template) =>
        template.ValueKind switch
        {
            JsonValueKind.String => template.GetString(),
            JsonValueKind.Array => template.EnumerateArray()
                .Where(t => t.TryGetProperty("name", out var n) && n.GetString() == "default")
                .Select(t => t.TryGetProperty("template", out var body) ? body.GetString() : null)
                .FirstOrDefault(),
            _ => null,
        };
}
