namespace Rlvr.Grading;

/// <summary>
/// What one grade call may still spend. Long-running steps (parsing, evaluation, big-number arithmetic)
/// call <see cref="ThrowIfExpired"/> so that pathological input ends in "not equal, timed out" instead of
/// a hang. Each such call is one unit of work; with a <see cref="GradeOptions.WorkLimit"/> the call ends
/// after that many units, which depends only on the input, so the verdict is the same on any machine and
/// under any load (training rewards need that: a resumed run must repeat an uninterrupted one). The
/// wall-clock <see cref="GradeOptions.TimeLimit"/> stays as a safety net. The exception never escapes a
/// grader: graders catch it at their boundary.
/// </summary>
public sealed class GradeBudget
{
    private readonly TimeProvider _clock;
    private readonly long _deadline;
    private readonly long _workLimit;
    private readonly GradeTimeoutCounter? _timeouts;
    private bool _counted;

    /// <summary>A budget of wall-clock time only.</summary>
    public GradeBudget(TimeSpan limit) : this(limit, TimeProvider.System, long.MaxValue, null) { }

    /// <summary>The budget <paramref name="options"/> give: their work limit (if any) and time limit.</summary>
    public GradeBudget(GradeOptions options) : this(options.TimeLimit, options.Clock ?? TimeProvider.System,
        options.WorkLimit ?? long.MaxValue, options.Timeouts) { }

    private GradeBudget(TimeSpan limit, TimeProvider clock, long workLimit, GradeTimeoutCounter? timeouts)
    {
        _clock = clock;
        _deadline = clock.GetTimestamp() + (long)(limit.TotalSeconds * clock.TimestampFrequency);
        _workLimit = workLimit;
        _timeouts = timeouts;
    }

    /// <summary>Units of work spent so far (calls of <see cref="ThrowIfExpired"/>).</summary>
    public long WorkSpent { get; private set; }

    /// <summary>True once the work limit or the time limit has run out.</summary>
    public bool Expired
    {
        get
        {
            bool outOfWork = WorkSpent > _workLimit;
            bool outOfTime = !outOfWork && ClockRunOut();
            if ((outOfWork || outOfTime) && !_counted && _timeouts is not null)
            {
                _counted = true;
                _timeouts.Add(outOfTime);
            }
            return outOfWork || outOfTime;
        }
    }

    // Without a work limit the clock is the bound and is read at every check. With one it is only a
    // safety net, read every 64 units: a call that the work bound ends early never looks at the clock
    // after its start, so its verdict cannot depend on the machine.
    private bool ClockRunOut()
    {
        if (_workLimit != long.MaxValue && (WorkSpent & 63) != 63) return false;
        return _clock.GetTimestamp() > _deadline;
    }

    /// <summary>Spends one unit of work; throws <see cref="GradeTimeoutException"/> when the budget has run out.</summary>
    public void ThrowIfExpired()
    {
        WorkSpent++;
        if (Expired) throw new GradeTimeoutException();
    }
}

/// <summary>
/// Counts grade calls that ran out of their budget, for a run's per-step telemetry (safe to share
/// between threads). Wall-clock expiries are counted apart: only they depend on the machine's speed.
/// </summary>
public sealed class GradeTimeoutCounter
{
    private long _work, _clock;

    /// <summary>Records one expired budget; <paramref name="byClock"/> when the time limit, not the work limit, ran out.</summary>
    public void Add(bool byClock)
    {
        if (byClock) Interlocked.Increment(ref _clock);
        else Interlocked.Increment(ref _work);
    }

    /// <summary>The counts since the last call (work limit, wall clock), and resets them.</summary>
    public (long WorkLimit, long WallClock) Take() => (Interlocked.Exchange(ref _work, 0), Interlocked.Exchange(ref _clock, 0));
}

/// <summary>Raised inside a grader when its <see cref="GradeBudget"/> runs out; caught at the grader's boundary.</summary>
public sealed class GradeTimeoutException() : Exception("The grade call ran out of its time budget.");
