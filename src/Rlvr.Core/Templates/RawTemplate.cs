namespace Rlvr.Core.Templates;

/// <summary>The problem text as is (upstream's majority-vote labeling prompts base models this way).</summary>
public sealed class RawTemplate : IPromptTemplate
{
    /// <summary>
    /// A Hugging Face chat_template that renders a one-message conversation as this template does: the message's
    /// text alone (no roles, no generation prompt). Models trained on raw prompts (the tiny model) carry it, so
    /// that transformers' apply_chat_template and rlvr's template detection both give the prompt they learnt.
    /// </summary>
    public const string ChatTemplate = "{% for message in messages %}{{ message['content'] }}{% endfor %}";

    public string Name => "raw";

    public IReadOnlyList<string> StopStrings => [];

    public string Render(string problem) => problem;
}
