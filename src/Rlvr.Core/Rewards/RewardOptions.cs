using Rlvr.Grading;

namespace Rlvr.Core.Rewards;

/// <summary>How the registry builds rewards that grade answers (<c>math</c>, <c>ttt</c>).</summary>
public sealed record RewardOptions
{
    /// <summary>The grader behind <c>math</c> and <c>ttt</c>: the paper's own by default, so that rewards
    /// match the published runs; <see cref="GraderMode.Verify"/> for a robust one.</summary>
    public GraderMode MathGrader { get; init; } = GraderMode.Paper;

    /// <summary>Time and size bounds of each grade call.</summary>
    public GradeOptions Grading { get; init; } = GradeOptions.Default;

    public static RewardOptions Default { get; } = new();
}
