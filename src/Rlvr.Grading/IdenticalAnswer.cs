using System.Text.RegularExpressions;

namespace Rlvr.Grading;

/// <summary>
/// Two answers that are the same text are equal, decided before any size limit, parsing or time budget:
/// otherwise an identical 10,000-digit number runs the parser into its limits and reads "wrong, timed out",
/// and an identical answer longer than <see cref="GradeOptions.MaxInputChars"/> is refused as too long.
/// </summary>
internal static partial class IdenticalAnswer
{
    /// <summary>The same non-empty text once surrounding white space is trimmed.</summary>
    public static bool Same(string response, string gold)
    {
        var a = response.AsSpan().Trim();
        return a.Length > 0 && a.SequenceEqual(gold.AsSpan().Trim());
    }

    /// <summary>
    /// <see cref="Same"/> for an integer: the one form where the paper's own pipeline (last number of the
    /// response, strip_string, grade_answer's normalisation) provably maps identical texts to identical
    /// answers. For other forms the paper grader keeps its quirks (a bare "\frac12" response reads "12").
    /// </summary>
    public static bool SameInteger(string response, string gold) => Same(response, gold) && Integer().IsMatch(gold.Trim());

    [GeneratedRegex(@"^-?[0-9]+$")]
    private static partial Regex Integer();
}
