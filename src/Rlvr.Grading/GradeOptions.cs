namespace Rlvr.Grading;

/// <summary>Bounds and tolerances of a grade call.</summary>
public sealed record GradeOptions
{
    /// <summary>Wall-clock bound on one grade call; past it the verdict is "not equal, timed out". With a
    /// <see cref="WorkLimit"/> it is only a safety net and should be generous.</summary>
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Deterministic bound on one grade call, in units of work (budget checks: see
    /// <see cref="GradeBudget"/>); past it the verdict is "not equal, timed out" on every machine alike.
    /// Null: no work bound, only <see cref="TimeLimit"/>.</summary>
    public long? WorkLimit { get; init; }

    /// <summary>The clock <see cref="TimeLimit"/> is measured on; null: the system's (tests slow it down).</summary>
    public TimeProvider? Clock { get; init; }

    /// <summary>Where calls that ran out of budget are counted (per-step telemetry); null: not counted.</summary>
    public GradeTimeoutCounter? Timeouts { get; init; }

    /// <summary>Longest response or gold string looked at; longer input is cut to its last characters
    /// (answers sit at the end), and an answer longer than this is refused.</summary>
    public int MaxInputChars { get; init; } = 100_000;

    /// <summary>Math-Verify's float_rounding: numbers are compared after rounding to this many decimals.</summary>
    public int FloatRounding { get; init; } = 6;

    /// <summary>Math-Verify's strict mode. When false, the prediction's free variables are renamed to the gold's in
    /// order of appearance before comparing (`f(y)` equals `f(x)`). In both modes an assignment compares by its
    /// value (`x = 3` equals `3`), as Math-Verify does.</summary>
    public bool Strict { get; init; } = true;

    /// <summary>Math-Verify's allow_set_relation_comp: a predicted inequality may match a gold set/interval
    /// (the reverse, gold inequality vs predicted interval, is always allowed).</summary>
    public bool AllowSetRelationComparison { get; init; }

    /// <summary>When true (Math-Verify's ExprExtractionConfig), a response without any LaTeX answer falls back to
    /// its plain-text answer (anchored number, last number or expression); false reads LaTeX only.</summary>
    public bool PlainTextFallback { get; init; } = true;

    /// <summary>TRL's reasoning_accuracy_reward: when set, only the text after the last of these delimiters
    /// (e.g. "&lt;/think&gt;") is graded, and a response without any of them has no answer.</summary>
    public IReadOnlyList<string>? ReasoningDelimiters { get; init; }

    public static GradeOptions Default { get; } = new();

    /// <summary>Work units that bound a reproducible grade call: about 1,000 times what any answer of the grading
    /// vectors and the shipped datasets needs.</summary>
    public const long ReproducibleWorkLimit = 1_000_000;

    /// <summary>The wall-clock safety net beside <see cref="ReproducibleWorkLimit"/>: generous, so that only a call
    /// the work count misjudges ever reaches it.</summary>
    public static readonly TimeSpan ReproducibleTimeLimit = TimeSpan.FromSeconds(10);

    /// <summary>Bounds whose verdicts repeat on any machine and under any load (training rewards, evaluation,
    /// labels): the work limit decides, the clock is only a safety net. <see cref="Default"/>'s 250 ms
    /// wall-clock bound can turn a correct answer into "timed out" on a busy machine.</summary>
    public static GradeOptions Reproducible { get; } = new() { WorkLimit = ReproducibleWorkLimit, TimeLimit = ReproducibleTimeLimit };
}
