using System.Text.RegularExpressions;

namespace Rlvr.Grading.Paper;

/// <summary>
/// The paper's <c>math</c> reward, quirks included: the Qwen2.5-Math extractor and <c>strip_string</c>
/// (<see cref="QwenAnswerExtractor"/>), then PRM800K <c>grade_answer</c> (<see cref="Prm800kGradeAnswer"/>)
/// whose sympy step is <see cref="Symbolic.SymbolicEquality.AreEqual"/>. A gold of "A"–"D" switches to
/// upstream's multiple-choice extraction. Never throws: an upstream exception reads "wrong", and an
/// exhausted time budget reads "wrong, timed out".
/// </summary>
public sealed partial class PaperGrader : IAnswerGrader
{
    private readonly GradeOptions _options;
    private readonly Prm800kGradeAnswer.SymbolicCheck _symbolic;

    public PaperGrader(GradeOptions? options = null)
        : this(options ?? GradeOptions.Default, Symbolic.SymbolicEquality.AreEqual)
    {
    }

    /// <summary>For tests: a grader with another symbolic step.</summary>
    internal PaperGrader(GradeOptions options, Prm800kGradeAnswer.SymbolicCheck symbolic)
    {
        _options = options;
        _symbolic = symbolic;
    }

    public GraderMode Mode => GraderMode.Paper;

    /// <summary>Whether answers are read in the r1 template's style (text after the last &lt;answer&gt;).</summary>
    public bool R1Style { get; init; }

    [GeneratedRegex(@"\b(A|B|C|D)\b", RegexOptions.CultureInvariant)]
    private static partial Regex ChoiceLetter();

    public GradeResult Grade(string response, string gold)
    {
        var budget = new GradeBudget(_options);
        string? extracted = null;
        try
        {
            if (!R1Style && IdenticalAnswer.SameInteger(response, gold)) return new GradeResult(true, gold.Trim(), false);
            response = Bounded(response);
            extracted = IsMultipleChoice(gold) ? ExtractChoice(response) : QwenAnswerExtractor.Extract(response, R1Style, budget);
            if (gold.Length > _options.MaxInputChars) return new GradeResult(false, NullIfEmpty(extracted), false);
            var correct = Prm800kGradeAnswer.Grade(extracted, gold, _symbolic, budget);
            // The symbolic step answers "not equal" when it runs out of time; that is a timeout too.
            return new GradeResult(correct, NullIfEmpty(extracted), !correct && budget.Expired);
        }
        catch (GradeTimeoutException)
        {
            return new GradeResult(false, NullIfEmpty(extracted), true);
        }
        catch (RegexMatchTimeoutException)
        {
            return new GradeResult(false, NullIfEmpty(extracted), true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Upstream would raise here (e.g. int(round(inf))); the reward reads it as "wrong".
            return new GradeResult(false, NullIfEmpty(extracted), budget.Expired);
        }
    }

    public string? Extract(string response)
    {
        try
        {
            var extracted = QwenAnswerExtractor.Extract(Bounded(response), R1Style, new GradeBudget(_options));
            return extracted.Length == 0 ? null : extracted;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    /// <summary>grade_answer(first, second), as the paper's <c>ttt</c> reward compares voted answers.</summary>
    public bool AnswersEquivalent(string first, string second)
    {
        try
        {
            return Prm800kGradeAnswer.Grade(Bounded(first), Bounded(second), _symbolic, new GradeBudget(_options));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }

    // Upstream's "no answer" is the empty string; the contract says null.
    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private string Bounded(string text) =>
        text.Length <= _options.MaxInputChars ? text : text[^_options.MaxInputChars..];

    private static bool IsMultipleChoice(string gold) => gold is "A" or "B" or "C" or "D";

    // Upstream's gpqa branch: the last stand-alone letter A-D of the upper-cased response.
    private static string ExtractChoice(string response)
    {
        var matches = ChoiceLetter().Matches(response.Replace("\u043a\u0438", "").ToUpperInvariant());
        return matches.Count > 0 ? matches[^1].Value : response.Trim();
    }
}
