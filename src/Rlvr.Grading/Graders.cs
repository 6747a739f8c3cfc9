using Rlvr.Grading.Paper;
using Rlvr.Grading.Verify;

namespace Rlvr.Grading;

/// <summary>Creates the grader for a <see cref="GraderMode"/>.</summary>
public static class Graders
{
    /// <summary>The grader of <paramref name="mode"/> with <paramref name="options"/> (defaults when null).</summary>
    public static IAnswerGrader Create(GraderMode mode, GradeOptions? options = null)
    {
        options ??= GradeOptions.Default;
        return mode switch
        {
            GraderMode.Paper => new PaperGrader(options),
            GraderMode.Verify => new VerifyGrader(options),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown grader mode"),
        };
    }
}
