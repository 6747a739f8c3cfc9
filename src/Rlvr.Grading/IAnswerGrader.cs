namespace Rlvr.Grading;

/// <summary>Which grader judges an answer.</summary>
public enum GraderMode
{
    /// <summary>The paper's own `math` reward, quirks included (Qwen2.5-Math extractor + strip_string + PRM800K grade_answer).</summary>
    Paper,
    /// <summary>A robust grader at least as good as Hugging Face Math-Verify.</summary>
    Verify,
}

/// <summary>The verdict on one (response, gold) pair.</summary>
/// <param name="Correct">Whether the extracted answer is equivalent to the gold answer.</param>
/// <param name="Extracted">The answer the grader extracted from the response (normalised as the grader saw it), or null.</param>
/// <param name="TimedOut">True when the budget ran out; then <paramref name="Correct"/> is false.</param>
public sealed record GradeResult(bool Correct, string? Extracted, bool TimedOut);

/// <summary>
/// A grader: extracts the final answer of a model response and decides whether it equals a gold answer.
/// Implementations never throw and never exceed their <see cref="GradeOptions.TimeLimit"/>:
/// pathological input yields "not equal" with <see cref="GradeResult.TimedOut"/> set.
/// </summary>
public interface IAnswerGrader
{
    GraderMode Mode { get; }

    /// <summary>Grades a whole model response against the gold answer.</summary>
    GradeResult Grade(string response, string gold);

    /// <summary>The final answer of a response, as this grader extracts it; null when there is none.</summary>
    string? Extract(string response);

    /// <summary>Whether two already-extracted answers are equivalent (used by majority voting).</summary>
    bool AnswersEquivalent(string first, string second);
}
