namespace Rlvr.Tests;

/// <summary>
/// A clock that moves on by <c>step</c> every time it is read: a machine that slow, for tests of grading bounds
/// (a wall-clock bound runs out on it, a work bound does not).
/// </summary>
public sealed class SlowClock(TimeSpan step) : TimeProvider
{
    private long _ticks, _reads;

    /// <summary>How often the clock has been read.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    public override long GetTimestamp()
    {
        Interlocked.Increment(ref _reads);
        return Interlocked.Add(ref _ticks, (long)(step.TotalSeconds * TimestampFrequency));
    }
}
