namespace Rlvr.Core.Evaluation;

/// <summary>
/// The paper's code-reasoning predicate: a response "reasons in code" when it contains the string
/// "python" in any case (upstream `contain_python_wo_backticks`: `"python" in text.lower()`; the same
/// predicate defines code-reasoning frequency in the paper's Table 1 and the `has_code` metrics).
/// </summary>
public static class CodeReasoning
{
    public static bool HasCode(string response) => response.Contains("python", StringComparison.OrdinalIgnoreCase);
}
