using Rlvr.Grading.Symbolic;

namespace Rlvr.Grading.Verify;

/// <summary>
/// The robust grader (<see cref="GraderMode.Verify"/>), at least as lenient and as careful as Hugging Face
/// Math-Verify: <see cref="AnswerExtractor"/> finds the answer of the response and of the gold (which may be
/// a bare answer, a "$...$" string or a whole solution), <see cref="MathParser"/> reads both, and
/// <see cref="AnswerComparer"/> decides. Every call is bounded by <see cref="GradeOptions.TimeLimit"/> and the
/// size limits; past them the verdict is "not equal" with <see cref="GradeResult.TimedOut"/> set. Never throws.
/// </summary>
public sealed class VerifyGrader : IAnswerGrader
{
    private readonly GradeOptions _options;

    /// <summary>The options gold answers are read with: Math-Verify's defaults (LaTeX and plain text, no reasoning delimiter).</summary>
    private readonly GradeOptions _goldOptions;

    public VerifyGrader(GradeOptions? options = null)
    {
        _options = options ?? GradeOptions.Default;
        _goldOptions = _options with { ReasoningDelimiters = null };
        _ = WarmUp.Value;
    }

    /// <summary>Runs every stage once with a generous budget, so that the just-in-time compilation of the first
    /// call in a process is not charged to a real grade call's time limit.</summary>
    private static readonly Lazy<bool> WarmUp = new(() =>
    {
        var grader = new VerifyGrader(GradeOptions.Default with { TimeLimit = TimeSpan.FromSeconds(30) }, warm: true);
        grader.Grade("So $x = \\frac{1}{2}$ and the final answer is $\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}$.", "(3, \\pi/2)");
        grader.Grade("We get \\[\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}\\] or 1,000.5", "$x \\in [-2, 7] \\cup \\{1\\pm\\sqrt{5}\\}$");
        grader.Grade("The answer is 42 percent", "0.42");
        Symbolic.SymbolicEquality.AreEqual("sqrt(2)*x**2", "x^2*2**(1/2)", new GradeBudget(TimeSpan.FromSeconds(30)));
        return true;
    });

    private VerifyGrader(GradeOptions options, bool warm)
    {
        _options = options;
        _goldOptions = options with { ReasoningDelimiters = null };
    }

    public GraderMode Mode => GraderMode.Verify;

    public GradeOptions Options => _options;

    /// <summary>An extracted answer: the text that was parsed, its tree (null when nothing parsed), the first
    /// candidate's text (the raw answer Math-Verify falls back to), and for a gold such as "1,22" the other
    /// reading ({1, 22} besides 1.22).</summary>
    private sealed record Answer(string Text, Expr? Tree, string FirstText, Answer? Alternative = null);

    public GradeResult Grade(string response, string gold)
    {
        var budget = new GradeBudget(_options);
        string? extracted = null;
        try
        {
            // Identical answers need no reading (TRL's reasoning mode first needs its delimiter in the response).
            if (_options.ReasoningDelimiters is null && IdenticalAnswer.Same(response, gold)) return new GradeResult(true, gold.Trim(), false);
            if (gold.Length > _options.MaxInputChars) return new GradeResult(false, null, true);
            var predictedTexts = NormalisedCandidates(response, _options.PlainTextFallback, _options, budget, isReference: false);
            var referenceTexts = NormalisedCandidates(gold, true, _goldOptions, budget, isReference: true);
            // Math-Verify's equal-strings rule for the first answers, decided before parsing: an identical
            // 10,000-digit number would otherwise spend the whole time budget in the parser.
            var (firstPredicted, firstReference) = (predictedTexts.FirstOrDefault(), referenceTexts.FirstOrDefault());
            if (firstPredicted is not null && firstReference is not null && SameText(firstPredicted, firstReference))
                return new GradeResult(true, firstPredicted, false);
            extracted = firstPredicted;
            var predicted = Parse(response, predictedTexts, _options.PlainTextFallback, budget);
            extracted = predicted?.Text;
            var reference = Parse(gold, referenceTexts, true, budget);
            if (predicted == null || reference == null) return new GradeResult(false, extracted, false);
            return new GradeResult(Match(reference, predicted, budget), extracted, false);
        }
        catch (Exception e) when (e is GradeTimeoutException or MathLimitException or InsufficientExecutionStackException)
        {
            return new GradeResult(false, extracted, true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug of ours must not take a training run down; the pair simply does not match.
            return new GradeResult(false, extracted, budget.Expired);
        }
    }

    public string? Extract(string response)
    {
        var budget = new GradeBudget(_options);
        try { return Read(response, _options.PlainTextFallback, _options, budget)?.Text; }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    public bool AnswersEquivalent(string first, string second)
    {
        var budget = new GradeBudget(_options);
        try
        {
            var a = Read(first, true, _goldOptions, budget, isReference: true);
            var b = Read(second, true, _goldOptions, budget, isReference: true);
            return a != null && b != null && Match(a, b, budget);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }

    /// <summary>The first extraction candidate that parses; else the first candidate as raw text; null when there is none.</summary>
    private static Answer? Read(string text, bool plainText, GradeOptions options, GradeBudget budget, bool isReference = false) =>
        Parse(text, NormalisedCandidates(text, plainText, options, budget, isReference), plainText, budget);

    /// <summary>The extraction candidates of <paramref name="text"/>, best first, normalised as they are enumerated
    /// (a later candidate may be too long to normalise and is reached only when no earlier one parses); empty ones left out.</summary>
    private static IEnumerable<string> NormalisedCandidates(string text, bool plainText, GradeOptions options, GradeBudget budget, bool isReference)
    {
        var candidates = AnswerExtractor.Candidates(text, options, plainText, budget, wordAnswer: isReference);  // extracted once, now
        return candidates.Select(AnswerNormalizer.Normalize).Where(n => n.Length > 0);
    }

    private static Answer? Parse(string text, IEnumerable<string> normalisedCandidates, bool plainText, GradeBudget budget)
    {
        string? firstText = null;
        Answer? answer = null;
        foreach (var normalised in normalisedCandidates)
        {
            firstText ??= normalised;
            var tree = MathParser.TryParse(normalised, MathSyntax.Latex, budget);
            if (tree != null) { answer = new Answer(normalised, tree, firstText!); break; }
        }
        if (answer == null) return firstText == null ? null : new Answer(firstText, null, firstText);
        if (plainText && AnswerExtractor.DecimalCommaAlternative(text) is { } other
            && MathParser.TryParse(AnswerNormalizer.Normalize(other), MathSyntax.Latex, budget) is { } otherTree)
        {
            answer = answer with { Alternative = new Answer(other, otherTree, other) };
        }
        return answer;
    }

    private bool Match(Answer gold, Answer predicted, GradeBudget budget)
    {
        if (MatchOne(gold, predicted, budget)) return true;
        return gold.Alternative != null && MatchOne(gold.Alternative, predicted, budget);
    }

    private bool MatchOne(Answer gold, Answer predicted, GradeBudget budget)
    {
        // Math-Verify's fall-back for text that does not parse: equal non-empty strings.
        if (SameText(gold.Text, predicted.Text) || SameText(gold.FirstText, predicted.FirstText)) return true;
        if (gold.Tree == null || predicted.Tree == null) return false;
        return new AnswerComparer(_options, budget).AreEquivalent(gold.Tree, predicted.Tree);
    }

    private static bool SameText(string a, string b)
    {
        var x = a.AsSpan().Trim();
        return x.Length > 0 && x.SequenceEqual(b.AsSpan().Trim());
    }
}
