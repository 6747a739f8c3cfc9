using Rlvr.Core.Templates;
using Rlvr.Torch.Tokenization;
using Rlvr.Torch.Training.Configuration;
using Rlvr.Torch.Training.Telemetry;
using Rlvr.Torch.Training.Tiny;
using static TorchSharp.torch;

namespace Rlvr.Torch.Training.Demo;

/// <summary>One run of the demo: its exact P(A) and expected accuracy at step 0 (the base) and after every step.</summary>
/// <param name="Condition">The condition's name.</param>
/// <param name="Seed">Its seed.</param>
/// <param name="Steps">0, 1, ..., run.steps.</param>
/// <param name="StrategyA">Exact mean P(A) at each of <paramref name="Steps"/>.</param>
/// <param name="Accuracy">Exact expected accuracy at each of <paramref name="Steps"/>.</param>
/// <param name="DecisionClipA">Mean over steps of the clipped fraction (low + high) of strategy-A decision tokens.</param>
/// <param name="DecisionClipB">The same for strategy-B decision tokens.</param>
public sealed record DemoRun(string Condition, int Seed, int[] Steps, double[] StrategyA, double[] Accuracy,
    double DecisionClipA, double DecisionClipB);

/// <summary>
/// <c>rlvr demo</c>: every <see cref="DemoCondition"/> on the strategy task for several seeds. Runs of
/// one seed that share a warm-start mix start from the same base model, built once; each run is an
/// ordinary <see cref="GrpoTrainer"/> run in its own folder, run one after the other (one process:
/// each run reseeds the global torch generator per step, so concurrent runs would not be reproducible).
/// </summary>
public static class SpuriousRewardDemo
{
    /// <summary>Runs <paramref name="conditions"/> x <paramref name="seeds"/> from <paramref name="baseConfig"/> under <paramref name="outDir"/>.</summary>
    public static IReadOnlyList<DemoRun> Run(TrainConfig baseConfig, IReadOnlyList<DemoCondition> conditions, IReadOnlyList<int> seeds,
        string outDir, Action<string>? log = null)
    {
        // The trainer sets this per run; the base models are built before any run, and libtorch's default
        // (a thread per core, spin-waiting) costs several times the CPU time on a busy machine.
        if (baseConfig.Run.Threads > 0) TorchSharp.torch.set_num_threads(baseConfig.Run.Threads);
        var runs = new List<DemoRun>();
        var starts = new Dictionary<string, StrategyExact>();
        foreach (var seed in seeds)
            foreach (var condition in conditions)
            {
                var config = ConfigFor(baseConfig, condition, seed);
                var mix = FormattableString.Invariant($"seed-{seed}-a{config.Data.StrategyAFraction:0.###}-e{config.Data.StrategyBErrorRate:0.###}");
                var baseDir = Path.Combine(outDir, "bases", mix);
                if (!starts.TryGetValue(baseDir, out var start))
                {
                    if (!File.Exists(Path.Combine(baseDir, "config.json")))
                    {
                        var (train, _) = TrainingSetup.LoadProblems(config.Data, seed);
                        TinyBase.Build(config, train, baseDir);
                    }
                    starts[baseDir] = start = Probe(config, baseDir);
                }
                var runDir = Path.Combine(outDir, condition.Name, $"seed-{seed}");
                if (Directory.Exists(runDir)) Directory.Delete(runDir, recursive: true);  // the demo owns its folder
                var result = new GrpoTrainer(config, new TrainOptions(runDir, ModelOverride: baseDir)).Run();
                if (!result.Completed) throw new InvalidOperationException($"demo run {condition.Name} seed {seed}: {result.Message}");
                var metrics = MetricsSink.Read(runDir);
                var run = new DemoRun(condition.Name, seed,
                    [0, .. metrics.Select(m => m.Step)],
                    [start.StrategyA, .. metrics.Select(m => m.ExactStrategyA!.Value)],
                    [start.Accuracy, .. metrics.Select(m => m.ExactAccuracy!.Value)],
                    metrics.Average(m => m.ClipAtDecision["a"].Low + m.ClipAtDecision["a"].High),
                    metrics.Average(m => m.ClipAtDecision["b"].Low + m.ClipAtDecision["b"].High));
                runs.Add(run);
                log?.Invoke(FormattableString.Invariant(
                    $"{condition.Name,-20} seed {seed}: P(A) {run.StrategyA[0]:0.000} -> {run.StrategyA[^1]:0.000}, accuracy {run.Accuracy[0]:0.000} -> {run.Accuracy[^1]:0.000}"));
            }
        return runs;
    }

    /// <summary>The configuration of one demo run: the base, the condition's overrides, the seed, quiet outputs.</summary>
    public static TrainConfig ConfigFor(TrainConfig baseConfig, DemoCondition condition, int seed)
    {
        var yaml = ConfigLoader.ToYaml(baseConfig);
        var config = ConfigLoader.Parse(yaml, [.. condition.Overrides,
            $"run.seed={seed}", $"run.name={condition.Name}-seed-{seed}", "telemetry.tensorboard=false"], $"demo condition {condition.Name}");
        if (condition.OneUpdatePerBatch)
        {
            int rollout = config.Rollout.PromptsPerStep * config.Rollout.SamplesPerPrompt;
            config = config with { Grpo = config.Grpo with { TrainBatchSize = rollout, MicroBatchSize = Math.Min(config.Grpo.MicroBatchSize, rollout) } };
            if (rollout % config.Grpo.MicroBatchSize != 0) config = config with { Grpo = config.Grpo with { MicroBatchSize = rollout } };
        }
        return config;
    }

    private static StrategyExact Probe(TrainConfig config, string baseDir)
    {
        using var scope = NewDisposeScope();
        using var model = TrainingSetup.LoadModel(baseDir, TrainingSetup.ResolvePlacement(config));
        var tokenizer = HfTokenizer.Load(baseDir);
        var template = PromptTemplates.Create(config.Data.Template);
        var (train, heldOut) = TrainingSetup.LoadProblems(config.Data, config.Run.Seed);
        return StrategyProbe.Measure(model, [.. train, .. heldOut], p => tokenizer.Encode(template.Render(p.Prompt)),
            t => tokenizer.Encode(t), TinyTokenizer.EndOfTextId);
    }
}
