namespace Rlvr.Core.Templates;

/// <summary>
/// The "r1" template upstream uses for base models without a chat template (the Llama base run, and
/// eval_checkpoint.py's BASE_MODEL_PROMPT): a system-style preamble asking for &lt;think&gt; and
/// &lt;answer&gt; tags, the problem, and an opened &lt;think&gt;. Generation stops at (and keeps) "&lt;/answer&gt;".
/// <para>Two forms exist upstream. The evaluation script's Python string has real newlines
/// (<c>r1</c>, the default). The training script passes the template through a shell
/// double-quoted string, so its "\n" stay the two characters backslash and n, and training prompts
/// contain them literally (<c>r1-train-script</c> reproduces that exactly).</para>
/// </summary>
public sealed class R1Template(bool literalBackslashN) : IPromptTemplate
{
    private const string Preamble =
        "A conversation between User and Assistant. The user asks a question, and the Assistant solves it. " +
        "The assistant first thinks about the reasoning process in the mind and then provides the user with the answer. " +
        "The reasoning process and answer are enclosed within <think> </think> and <answer> </answer> tags, respectively, " +
        "i.e., <think> reasoning process here </think> <answer> answer here </answer>.";

    public string Name => literalBackslashN ? "r1-train-script" : "r1";

    public IReadOnlyList<string> StopStrings => ["</answer>"];

    public string Render(string problem)
    {
        var newline = literalBackslashN ? "\\n" : "\n";
        return $"{Preamble}{newline}{newline}<|user|>{newline}{problem}{newline}<|assistant|>{newline}<think>";
    }
}
