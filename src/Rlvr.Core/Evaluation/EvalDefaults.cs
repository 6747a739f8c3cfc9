namespace Rlvr.Core.Evaluation;

/// <summary>How many samples per problem, at which temperature, a benchmark is evaluated with.</summary>
public sealed record SamplingPlan(int Samples, double Temperature);

/// <summary>
/// The paper's evaluation settings (upstream eval_checkpoint.py): MATH-500 one greedy sample
/// (temperature 0, reported as pass@1 = avg@1); AIME-2024, AIME-2025 and AMC eight samples at
/// temperature 0.6 (reported as avg@8); max 3,072 new tokens; top-p 1.0; 4 shards.
/// </summary>
public static class EvalDefaults
{
    public const int MaxNewTokens = 3072;
    public const int Shards = 4;
    public const double TopP = 1.0;

    /// <summary>The temperature of single-sample evaluation (greedy).</summary>
    public const double GreedyTemperature = 0.0;

    /// <summary>The temperature when k &gt; 1 samples are drawn (upstream `temperature_at_k`).</summary>
    public const double TemperatureAtK = 0.6;

    /// <summary>The four benchmarks of the paper, in its order.</summary>
    public static readonly IReadOnlyList<string> PaperDatasets = ["MATH-500", "AIME-2024", "AIME-2025", "AMC"];

    /// <summary>The paper's plan for a dataset, with optional overrides (`--samples`, `--temperature`).
    /// Without a temperature override, one sample means greedy and more mean 0.6, as upstream.</summary>
    public static SamplingPlan For(string dataset, int? samples = null, double? temperature = null)
    {
        var n = samples ?? (dataset.Equals("MATH-500", StringComparison.OrdinalIgnoreCase) ? 1 : 8);
        if (n < 1) throw new ArgumentException($"--samples {n}: need at least 1");
        var t = temperature ?? (n == 1 ? GreedyTemperature : TemperatureAtK);
        if (t < 0 || double.IsNaN(t)) throw new ArgumentException($"--temperature {t}: must be 0 (greedy) or positive");
        return new SamplingPlan(n, t);
    }
}
