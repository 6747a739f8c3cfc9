namespace Rlvr.Core.Templates;

/// <summary>Turns a raw problem into the exact text a model receives (before tokenization, which
/// upstream does with add_special_tokens=False: every special token is in this text).</summary>
public interface IPromptTemplate
{
    /// <summary>The name this template is chosen by (`--template`).</summary>
    string Name { get; }

    /// <summary>The prompt for one problem.</summary>
    string Render(string problem);

    /// <summary>Strings that end generation (kept in the output, as upstream's include_stop_str_in_output);
    /// empty when generation stops only at the tokenizer's end-of-sequence tokens.</summary>
    IReadOnlyList<string> StopStrings { get; }
}

/// <summary>A template could not be chosen or read; the message is one line naming the flag or file.</summary>
public sealed class TemplateException(string message) : Exception(message);
