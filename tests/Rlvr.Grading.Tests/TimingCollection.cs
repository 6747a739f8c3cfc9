namespace Rlvr.Grading.Tests;

/// <summary>Tests that measure wall-clock bounds run alone, after the parallel tests, so that other tests'
/// CPU use does not count against the grade calls they time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "Timing (not parallel)";
}

/// <summary>Options for tests that check verdicts, not time: a limit generous enough that a loaded CI machine
/// never turns a verdict into a timeout (the time bound has its own tests in <see cref="GraderFuzzTests"/>).</summary>
internal static class VerdictOptions
{
    public static GradeOptions Generous { get; } = GradeOptions.Default with { TimeLimit = TimeSpan.FromSeconds(20) };
}
