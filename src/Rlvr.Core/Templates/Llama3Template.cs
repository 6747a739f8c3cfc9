namespace Rlvr.Core.Templates;

/// <summary>
/// The Llama-3 instruct chat formats, rendered as Hugging Face's apply_chat_template does for one user
/// message with add_generation_prompt=True. The text starts with the BOS token
/// <c>&lt;|begin_of_text|&gt;</c> because the template writes it (upstream tokenizes with add_special_tokens=False),
/// and message contents are trimmed (the templates apply Jinja's <c>| trim</c>).
/// <list type="bullet">
/// <item><c>llama3</c> (Llama-3.1 / 3.2 Instruct, the paper's Llama models): always a system block
/// "Cutting Knowledge Date: December 2023\nToday Date: {date}\n\n{system}". Llama-3.1 templates
/// default the date to "26 Jul 2024"; Llama-3.2 templates write today's date when the renderer
/// offers strftime_now (transformers does), so their prompts change daily. We default to the
/// templates' own fallback "26 Jul 2024" so prompts are reproducible; pass the date to match a run.</item>
/// <item><c>llama3.0</c> (Meta-Llama-3-Instruct): no system block unless one is given.</item>
/// </list>
/// </summary>
public sealed class Llama3Template : IPromptTemplate
{
    /// <summary>The date the Llama-3.1/3.2 templates fall back to.</summary>
    public const string DefaultDate = "26 Jul 2024";

    private const string Bos = "<|begin_of_text|>";

    private readonly bool _dated;
    private readonly string _date;
    private readonly string? _systemPrompt;

    /// <param name="dated">True for the Llama-3.1/3.2 form with the knowledge-cutoff system block.</param>
    /// <param name="date">The "Today Date" of the dated form, written like "26 Jul 2024".</param>
    /// <param name="systemPrompt">An optional system message.</param>
    public Llama3Template(bool dated, string? date = null, string? systemPrompt = null)
    {
        _dated = dated;
        _date = date ?? DefaultDate;
        _systemPrompt = systemPrompt;
        Name = dated ? "llama3" : "llama3.0";
    }

    public string Name { get; }

    public IReadOnlyList<string> StopStrings => [];

    public string Render(string problem)
    {
        var system = "";
        if (_dated)
        {
            system = Block("system", $"Cutting Knowledge Date: December 2023\nToday Date: {_date}\n\n{JinjaText.Trim(_systemPrompt ?? "")}", trim: false);
        }
        else if (_systemPrompt != null)
        {
            system = Block("system", _systemPrompt, trim: true);
        }
        return Bos + system + Block("user", problem, trim: true) + "<|start_header_id|>assistant<|end_header_id|>\n\n";
    }

    private static string Block(string role, string content, bool trim) =>
        $"<|start_header_id|>{role}<|end_header_id|>\n\n{(trim ? JinjaText.Trim(content) : content)}<|eot_id|>";
}
