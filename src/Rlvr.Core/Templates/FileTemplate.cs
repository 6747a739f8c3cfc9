namespace Rlvr.Core.Templates;

/// <summary>
/// A template read from a text file: every occurrence of <c>{problem}</c> is replaced by the problem;
/// everything else (other braces such as <c>\boxed{}</c> included) is kept verbatim, newlines too.
/// Optional stop strings come from <c>--stop</c>.
/// </summary>
public sealed class FileTemplate : IPromptTemplate
{
    public const string Placeholder = "{problem}";

    private readonly string _text;

    public FileTemplate(string path, IReadOnlyList<string>? stopStrings = null)
    {
        if (!File.Exists(path)) throw new TemplateException($"--template {path}: file not found");
        _text = File.ReadAllText(path);
        if (!_text.Contains(Placeholder, StringComparison.Ordinal))
        {
            throw new TemplateException($"--template {path}: the file has no {Placeholder} placeholder");
        }
        Name = path;
        StopStrings = stopStrings ?? [];
    }

    public string Name { get; }

    public IReadOnlyList<string> StopStrings { get; }

    public string Render(string problem) => _text.Replace(Placeholder, problem, StringComparison.Ordinal);
}
