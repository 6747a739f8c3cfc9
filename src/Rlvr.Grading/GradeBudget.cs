using System.Diagnostics;

namespace Rlvr.Grading;

/// <summary>
/// The time left to one grade call. Long-running steps (parsing, evaluation, big-number arithmetic)
/// call <see cref="ThrowIfExpired"/> so that pathological input ends in "not equal, timed out"
/// instead of a hang. The exception never escapes a grader: graders catch it at their boundary.
/// </summary>
public sealed class GradeBudget
{
    private readonly long _deadline;

    public GradeBudget(TimeSpan limit)
    {
        _deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
    }

    public bool Expired => Stopwatch.GetTimestamp() > _deadline;

    public void ThrowIfExpired()
    {
        if (Expired) throw new GradeTimeoutException();
    }
}

/// <summary>Raised inside a grader when its <see cref="GradeBudget"/> runs out; caught at the grader's boundary.</summary>
public sealed class GradeTimeoutException() : Exception("The grade call ran out of its time budget.");
