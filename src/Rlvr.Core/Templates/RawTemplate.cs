namespace Rlvr.Core.Templates;

/// <summary>The problem text as is (upstream's majority-vote labeling prompts base models this way).</summary>
public sealed class RawTemplate : IPromptTemplate
{
    public string Name => "raw";

    public IReadOnlyList<string> StopStrings => [];

    public string Render(string problem) => problem;
}
