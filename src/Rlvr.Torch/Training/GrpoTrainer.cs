using Rlvr.Core.IO;
using TorchSharp;
using System.Diagnostics;
using Rlvr.Core.Data;
using Rlvr.Core.Evaluation;
using Rlvr.Core.Rewards;
using Rlvr.Core.Templates;
using Rlvr.Grading;
using Rlvr.Torch.Checkpoints;
using Rlvr.Torch.Distributed;
using Rlvr.Torch.Evaluation;
using Rlvr.Torch.Models;
using Rlvr.Torch.Tokenization;
using Rlvr.Torch.Training.Checkpointing;
using Rlvr.Torch.Training.Configuration;
using Rlvr.Torch.Training.Optimization;
using Rlvr.Torch.Training.Rollout;
using Rlvr.Torch.Training.Telemetry;
using Rlvr.Torch.Training.Tiny;
using static TorchSharp.torch;

namespace Rlvr.Torch.Training;

/// <summary>How <see cref="GrpoTrainer"/> is started (what the CLI passes besides the config).</summary>
/// <param name="RunDirectory">The run folder (metrics, checkpoints, plot).</param>
/// <param name="ModelOverride">An HF folder replacing <c>model.path</c>.</param>
/// <param name="Resume">Continue from the newest complete checkpoint in the run folder.</param>
/// <param name="Log">Plain progress lines.</param>
/// <param name="StepCompleted">Called with every step's metrics (console progress).</param>
/// <param name="GradeClock">The clock of the graders' wall-clock safety net (null: the system's; tests slow it down).</param>
/// <param name="Collectives">The data-parallel ranks (null: one process). Only rank 0 logs and writes run outputs.</param>
/// <param name="Stop">Set by a signal handler: the run stops after the step in flight, with a checkpoint of it.</param>
public sealed record TrainOptions(string RunDirectory, string? ModelOverride = null, bool Resume = false,
    Action<string>? Log = null, Action<StepMetrics>? StepCompleted = null, TimeProvider? GradeClock = null, ICollectives? Collectives = null,
    StopRequest? Stop = null);

/// <summary>How a run ended.</summary>
/// <param name="Completed">All steps ran.</param>
/// <param name="LastStep">The last step finished.</param>
/// <param name="Message">Why it stopped (one line).</param>
/// <param name="StopExitCode">Set when a <see cref="StopRequest"/> ended the run: the exit status it asked for.</param>
public sealed record TrainResult(bool Completed, int LastStep, string Message, int? StopExitCode = null);

/// <summary>
/// GRPO training (upstream.md §3.3): per step, draw prompts, sample a group of responses each with the
/// current policy, score them, compute group advantages, then PPO-clip updates; with telemetry,
/// checkpoints that survive a kill, and evaluation every N steps. Every random draw of step s derives
/// from (seed, s), so a resumed run repeats an uninterrupted one.
/// Under <c>mpirun -np N</c> every rank runs this loop: the rollout is split across ranks
/// (<see cref="StepRollout"/>), the update's micro-batches too (<see cref="PolicyUpdater"/>), and rank 0
/// alone prints and writes metrics, samples, plots, evaluations and the model; each rank writes its
/// optimizer shard into the shared checkpoint folder.
/// </summary>
public sealed class GrpoTrainer(TrainConfig config, TrainOptions options)
{
    /// <summary>The run folder's resolved configuration file.</summary>
    public const string ConfigFile = "config.yaml";
    private const string BaseModelFolder = "base-model";
    // Inside each checkpoint folder: the policy as an HF folder, and the optimizer state.
    private const string CheckpointModelFolder = "model", OptimizerFile = "optimizer.bin";

    private readonly ICollectives _collectives = options.Collectives ?? new SingleProcessCollectives();
    private World World => _collectives.World;

    private void Log(string line) { if (World.IsLeader) options.Log?.Invoke(line); }

    /// <summary>Runs the configured steps (or the rest of them, resuming).</summary>
    public TrainResult Run()
    {
        TrainingSetup.CheckTrainSplit(config.Data);   // before the run folder is made
        TrainingSetup.CheckDataSources(config);
        var runDir = Path.GetFullPath(options.RunDirectory);
        // One run per folder: a second `rlvr train` on it stops here, naming this process (rank 0 holds it for all ranks).
        using var folderLock = World.IsLeader ? RunFolderLock.Acquire(runDir, "rlvr train") : null;
        Directory.CreateDirectory(runDir);
        var store = new CheckpointStore(Path.Combine(runDir, "checkpoints"), config.Checkpoint.Keep);
        var latest = options.Resume ? store.Latest() : null;
        if (!options.Resume && File.Exists(Path.Combine(runDir, MetricsSink.MetricsFile)))
            throw new InvalidOperationException($"{runDir} already holds a run; pass --resume to continue it or --out for a new folder");
        _collectives.Barrier(); // every rank has chosen its checkpoint before rank 0 tidies the folder
        if (World.IsLeader)
        {
            store.RemoveLeftovers();
            if (options.Resume && latest is null) Log("--resume: no complete checkpoint in the run folder; starting from the beginning");
            var configPath = Path.Combine(runDir, ConfigFile);
            var resolved = ConfigLoader.ToYaml(config);
            if (latest is not null && File.Exists(configPath) && File.ReadAllText(configPath) != resolved)
                Log($"warning: the configuration differs from the one this run started with ({configPath}); a resumed run repeats an uninterrupted one only with the same settings");
            AtomicFile.WriteAllText(configPath, resolved);
            Log($"configuration written to {configPath}");
        }

        if (config.Run.Threads > 0) torch.set_num_threads(config.Run.Threads);
        // A missing model folder fails now, before minutes of data loading.
        var baseDir = options.ModelOverride ?? (config.Model.Tiny is null ? config.Model.Path : Path.Combine(runDir, BaseModelFolder));
        if (config.Model.Tiny is null || options.ModelOverride is not null)
            if (!File.Exists(Path.Combine(baseDir, "config.json")))
                throw new FileNotFoundException($"model folder '{baseDir}' has no config.json (set model.path or --model)");
        var placement = TrainingSetup.ResolvePlacement(config, World);
        var seed = config.Run.Seed;
        var (train, heldOut) = TrainingSetup.LoadProblems(config.Data, seed);
        var trueLabel = TrainingSetup.TrueLabels(config.Data);
        var template = PromptTemplates.Create(config.Data.Template);
        var gradeTimeouts = new GradeTimeoutCounter();
        var rewardOptions = new RewardOptions { MathGrader = config.Reward.ToGraderMode(), Grading = config.Reward.ToGradeOptions(gradeTimeouts, options.GradeClock) };
        var reward = RewardRegistry.Create(config.Reward.Name, rewardOptions);
        var accuracy = RewardRegistry.Create(config.Reward.Accuracy, rewardOptions);
        Log($"data: {train.Count} training problems from {config.Data.Source}, {heldOut.Count} held out; reward {reward.Name}; device {placement}"
            + (World.Size > 1 ? $"; {World.Size} ranks" : ""));

        // The starting model: an HF folder (the configured one, or the tiny model built and warm-started here, by rank 0).
        if (World.IsLeader && config.Model.Tiny is not null && options.ModelOverride is null && !Directory.Exists(baseDir))
            TinyBase.Build(config, train, baseDir, Log);
        _collectives.Barrier();
        if (!File.Exists(Path.Combine(baseDir, "config.json")))
            throw new FileNotFoundException($"model folder '{baseDir}' has no config.json (set model.path or --model)");
        using var policy = TrainingSetup.LoadModel(latest is null ? baseDir : Path.Combine(latest.Value.Path, CheckpointModelFolder), placement);
        using var reference = config.Grpo.KlCoef != 0 ? TrainingSetup.LoadModel(baseDir, placement) : null;
        policy.GradientCheckpointing = config.Model.GradientCheckpointing;
        reference?.eval();
        var tokenizer = HfTokenizer.Load(baseDir);
        tokenizer.CheckFits(policy.Config, baseDir);
        var (eos, pad) = SpecialTokens.Resolve(baseDir, tokenizer);
        if (eos.Count == 0) throw new InvalidDataException($"{baseDir}: no end-of-sequence token in config.json, generation_config.json or tokenizer_config.json");
        var stops = template.StopStrings.Concat(config.Rollout.Stop).Distinct().ToArray();
        var generator = new ResponseGenerator(policy, eos, pad, stops, ids => tokenizer.Decode(ids.ToArray()));
        var collector = new RolloutCollector(generator, tokenizer, template, reward, accuracy, trueLabel, config.Rollout, seed);
        var strategyPattern = new System.Text.RegularExpressions.Regex(config.Telemetry.StrategyPattern, System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        // The strategy task's exact P(A) and expected accuracy over all its problems, after every step.
        var allProblems = train.Concat(heldOut).ToArray();
        StrategyExact? Exact() => config.Data.Source != StrategyTask.SourceName ? null
            : StrategyProbe.Measure(policy, allProblems, collector.PromptTokens, t => tokenizer.Encode(t), eos[0]);

        int rolloutSize = config.Rollout.PromptsPerStep * config.Rollout.SamplesPerPrompt;
        int updatesPerStep = config.Grpo.Epochs * ((rolloutSize + config.Grpo.TrainBatchSize - 1) / config.Grpo.TrainBatchSize);
        var schedule = new LearningRateSchedule(config.Optimizer.Schedule, config.Optimizer.Lr, config.Optimizer.WarmupSteps,
            config.Run.Steps * updatesPerStep, config.Optimizer.MinLrRatio);
        using var optimizer = new MasterWeightAdam(policy.named_parameters(), config.Optimizer.Lr,
            config.Optimizer.Beta1, config.Optimizer.Beta2, config.Optimizer.Eps, config.Optimizer.MaxGradNorm,
            config.Optimizer.Fp32GradAccumulation, _collectives, config.Optimizer.ZeroStage);
        var updater = new PolicyUpdater(policy, reference, optimizer, schedule, config.Grpo, config.Rollout.MaxNewTokens, pad, _collectives);
        var prompts = new PromptStream<Problem>(train, seed, config.Data.Shuffle);
        var rollout = new StepRollout(collector, prompts, config.Rollout, seed, _collectives);
        var evalProblems = LoadEvalProblems(heldOut);

        int startStep = latest is { } checkpoint ? Restore(checkpoint, optimizer, prompts, updater) : 0;

        using var sink = World.IsLeader ? new MetricsSink(runDir, config.Telemetry.Tensorboard, startStep) : null;
        // Evaluation runs on rank 0 only (the others wait at the next step's first collective).
        double? Eval(int step) => !World.IsLeader ? null : config.Eval.Sets.Count > 0
            ? EvaluateSets(policy, tokenizer, eos, pad, template, runDir, step)
            : evalProblems.Count > 0 ? Evaluate(collector, evalProblems, step) : null;
        if (startStep == 0 && config.Eval.Every > 0 && Eval(0) is double baseline)
        {
            Log($"eval at step 0: accuracy {baseline:F3}");
            sink?.WriteEvaluation(0, baseline);
        }

        // Snapshots for an evaluation follower (rank 0 writes them): the base model's first, unless resuming.
        var snapshots = World.IsLeader && config.Eval.SnapshotEvery > 0 ? SnapshotStore.InRun(runDir) : null;
        snapshots?.Reopen();
        if (snapshots is not null && startStep == 0) SaveSnapshot(snapshots, policy, baseDir, runDir, 0);

        // One GRPO step, the algorithm: sample and score groups (StepRollout: each rank its generate calls, with
        // dynamic sampling's refill), advantages of the kept groups, PPO/GRPO updates (PolicyUpdater).
        (IReadOnlyList<ResponseGroup> Sampled, IReadOnlyList<ResponseGroup> Kept, ScoredResponse[] Samples, float[] Advantages,
            UpdateStats? Update, RolloutTiming Timing) GrpoStep(int step)
        {
            torch.manual_seed(StepRandom.Seed(seed, step, StepRandom.Stream.Sampling));
            var (sampled, kept, timing) = rollout.Run(step);
            foreach (var s in sampled.SelectMany(g => g.Responses)) s.StrategyA = strategyPattern.IsMatch(s.Text); // telemetry label
            var samples = kept.SelectMany(g => g.Responses).ToArray();
            var advantages = Advantages(samples);
            var update = samples.Length == 0 ? null : updater.Update(samples, advantages, StepRandom.Create(seed, step, StepRandom.Stream.Shuffle));
            return (sampled, kept, samples, advantages, update, timing);
        }

        string? lastCheckpoint = latest?.Path;
        for (int step = startStep + 1; step <= config.Run.Steps; step++)
        {
            using var scope = NewDisposeScope();
            var clock = Stopwatch.StartNew();
            _collectives.Counters.Reset();
            var (sampled, kept, samples, advantages, update, timing) = GrpoStep(step);
            var (workTimeouts, clockTimeouts) = GradeTimeoutsOverRanks(gradeTimeouts.Take());
            if (workTimeouts + clockTimeouts > 0)
                Log($"step {step}: {workTimeouts + clockTimeouts} grade call(s) ran out of budget and count as wrong"
                    + (clockTimeouts > 0 ? $" ({clockTimeouts} by the wall-clock safety net: that verdict depends on the machine)" : ""));
            var all = sampled.SelectMany(g => g.Responses).ToArray();
            double? evalAccuracy = config.Eval.Every > 0 && step % config.Eval.Every == 0 ? Eval(step) : null;
            var metrics = StepMetricsCalculator.Compute(step, sampled, all, kept.Count, update, timing, prompts.Consumed, evalAccuracy, clock.Elapsed.TotalSeconds)
                with
                {
                    GradeTimeouts = workTimeouts + clockTimeouts, GradeWallClockTimeouts = clockTimeouts,
                    SecondsCommunicating = _collectives.Counters.Seconds, BytesCommunicated = _collectives.Counters.Bytes,
                };
            if (World.IsLeader && Exact() is { } exact) // only rank 0 reports it
                metrics = metrics with { ExactStrategyA = exact.StrategyA, ExactAccuracy = exact.Accuracy, ExactAccuracyA = exact.AccuracyA, ExactAccuracyB = exact.AccuracyB };
            sink?.Write(metrics);
            if (sink is not null && config.Telemetry.SamplesEvery > 0 && step % config.Telemetry.SamplesEvery == 0)
            {
                // A response of a group dropped by dynamic sampling was not trained on: advantage 0.
                var advantageOf = samples.Select((s, i) => (s, i)).ToDictionary(x => x.s, x => advantages[x.i], ReferenceEqualityComparer.Instance);
                foreach (var s in PickSamples(sampled)) sink.WriteSample(new { step, prompt = s.Problem.Prompt, label = s.Problem.Label,
                    true_label = trueLabel(s.Problem), response = s.Text, reward = s.Reward, correct = s.Correct,
                    advantage = advantageOf.GetValueOrDefault(s), truncated = s.Truncated });
            }
            if (World.IsLeader) options.StepCompleted?.Invoke(metrics);

            if (updater.BadStepsInARow >= config.Checkpoint.MaxBadSteps)
            {
                var message = $"stopped at step {step}: {updater.BadStepsInARow} optimizer steps in a row had a NaN/Inf loss or gradient and were skipped; last good checkpoint: {lastCheckpoint ?? "none"}";
                Log(message);
                snapshots?.MarkFinished(new RunEnd(step, Completed: false));
                return new TrainResult(false, step, message);
            }
            if (update is not null && update.SkippedSteps > 0)
                Log($"step {step}: {update.SkippedSteps} optimizer step(s) skipped (NaN/Inf loss or gradient)");
            if (snapshots is not null && step % config.Eval.SnapshotEvery == 0) SaveSnapshot(snapshots, policy, baseDir, runDir, step);
            bool stop = StopRequestedOnAnyRank();
            bool due = stop || (config.Checkpoint.Every > 0 && step % config.Checkpoint.Every == 0) || step == config.Run.Steps;
            // A step that ended on a skipped update is not saved: the newest checkpoint stays the last good one.
            if (due && updater.BadStepsInARow == 0)
                lastCheckpoint = SaveCheckpoint(store, policy, optimizer, baseDir, step, prompts.Consumed, updater.BadStepsInARow);
            if (World.IsLeader && (step % 5 == 0 || step == config.Run.Steps || stop)) WritePlot(runDir);
            if (stop && step < config.Run.Steps)
            {
                var message = $"stopped by {options.Stop?.Reason ?? "a stop request"} after step {step} of {config.Run.Steps}; " +
                    $"checkpoint: {lastCheckpoint ?? "none"}; rerun with --resume to continue";
                Log(message);
                return new TrainResult(false, step, message, options.Stop?.ExitCode is > 0 and var code ? code : 130);
            }
        }
        if (World.IsLeader) WritePlot(runDir);
        snapshots?.MarkFinished(new RunEnd(config.Run.Steps, Completed: true));
        return new TrainResult(true, config.Run.Steps, $"finished {config.Run.Steps} steps; run folder {runDir}");
    }

    /// <summary>Whether a stop was requested on any rank: all ranks must stop after the same step (one
    /// all-reduce per step under mpirun, where the signal reaches each rank on its own).</summary>
    private bool StopRequestedOnAnyRank()
    {
        double requested = options.Stop?.IsRequested == true ? 1 : 0;
        if (World.Size == 1) return requested > 0;
        Span<double> any = [requested];
        _collectives.AllReduceSum(any);
        return any[0] > 0;
    }

    /// <summary>
    /// Puts the optimizer state, data position, bad-step count and torch RNG back as the checkpoint
    /// recorded them (the policy weights were loaded from its model folder); returns its step.
    /// </summary>
    private int Restore((string Path, TrainingState State) checkpoint, MasterWeightAdam optimizer, PromptStream<Problem> prompts,
        PolicyUpdater updater)
    {
        // One file (unsharded) or one per rank (ZeRO-1), at any world size: each rank takes its parameters by name.
        optimizer.Load(Directory.GetFiles(checkpoint.Path, "optimizer*.bin").Order(StringComparer.Ordinal).ToArray());
        prompts.Seek(checkpoint.State.PromptsConsumed);
        updater.BadStepsInARow = checkpoint.State.BadStepsInARow;
        using var rng = torch.tensor(Convert.FromBase64String(checkpoint.State.TorchRngState));
        torch.random.set_rng_state(rng);
        Log($"resumed from {checkpoint.Path} (step {checkpoint.State.Step}, {prompts.Consumed} prompts consumed)");
        return checkpoint.State.Step;
    }

    /// <summary>Each rank grades its own generate calls: the step's grade timeouts are the sum over ranks.</summary>
    private (long Work, long Clock) GradeTimeoutsOverRanks((long Work, long Clock) mine)
    {
        Span<double> counts = [mine.Work, mine.Clock];
        _collectives.AllReduceSum(counts);
        return ((long)counts[0], (long)counts[1]);
    }

    /// <summary>
    /// The advantages of the step's training samples (whole groups, in order). Every rank holds all of them, so
    /// the whitening over all response tokens is global without a further reduction.
    /// </summary>
    private float[] Advantages(ScoredResponse[] samples) => GrpoMath.StepAdvantages(samples.Select(s => s.Reward).ToArray(),
        samples.Select(s => s.ResponseTokens.Length).ToArray(), config.Rollout.SamplesPerPrompt, config.Grpo.ScaleByStd,
        config.Grpo.AdvantageClip, config.Grpo.WhitenAdvantages);

    private IReadOnlyList<Problem> LoadEvalProblems(IReadOnlyList<Problem> heldOut) =>
        config.Eval.Every <= 0 || config.Eval.Sets.Count > 0 ? [] : heldOut.Take(config.Eval.MaxPrompts).ToArray();

    /// <summary>
    /// Evaluation on named sets with the evaluation harness (`rlvr eval`'s code: the paper's sampling
    /// plan per set, e.g. MATH-500 greedy, AIME avg@8), results in eval/step-NNNNNN/; returns the
    /// unweighted mean avg@k over the sets.
    /// </summary>
    private double EvaluateSets(CausalLanguageModel policy, HfTokenizer tokenizer, IReadOnlyList<int> eos, int pad,
        IPromptTemplate template, string runDir, int step)
    {
        var settings = new EvalSettings(
            Model: FormattableString.Invariant($"step{step:D6}"),
            OutputDir: Path.Combine(runDir, "eval", FormattableString.Invariant($"step-{step:D6}")),
            Grader: "paper",
            Template: template,
            MaxNewTokens: config.Eval.MaxNewTokens,
            Seed: StepRandom.Seed(config.Run.Seed, step, StepRandom.Stream.Eval));
        Directory.CreateDirectory(settings.OutputDir);
        policy.eval();
        var generator = new ModelTextGenerator(policy, tokenizer, eos, pad);
        var (summary, _) = EvalSession.Run(new EvalRequest(config.Eval.Sets, Limit: config.Eval.MaxPrompts), settings, generator,
            Graders.Create(config.Reward.ToGraderMode(), config.Reward.ToGradeOptions()));
        foreach (var d in summary.Datasets) Log($"eval step {step}: {d.Dataset} avg@{d.Samples} {d.AvgAtK:F3} pass@{d.Samples} {d.PassAtK:F3}");
        return summary.OverallAvgAtK;
    }

    private double Evaluate(RolloutCollector collector, IReadOnlyList<Problem> problems, int step)
    {
        // Greedy, one response per problem (upstream's MATH@1 protocol), scored by the accuracy reward.
        var (groups, _) = collector.Collect(problems, StepRandom.Seed(config.Run.Seed, step, StepRandom.Stream.Eval), 1, 0, config.Eval.MaxNewTokens);
        return groups.Average(g => g.Responses[0].Correct);
    }

    /// <summary>Writes the policy as snapshot <paramref name="step"/> and drops snapshots evaluated long enough ago.</summary>
    private void SaveSnapshot(SnapshotStore snapshots, CausalLanguageModel policy, string baseDir, string runDir, int step)
    {
        var path = snapshots.Save(step, dir => CheckpointSaver.Save(policy, dir, copyFrom: baseDir));
        snapshots.Prune(SnapshotEvalLog.EvaluatedSteps(runDir), config.Eval.SnapshotKeep);
        Log($"snapshot: {path}");
    }

    private string SaveCheckpoint(CheckpointStore store, CausalLanguageModel policy, MasterWeightAdam optimizer, string baseDir,
        int step, long consumed, int bad)
    {
        using var rng = torch.random.get_rng_state();
        var state = new TrainingState(step, consumed, config.Run.Seed, bad, Convert.ToBase64String(rng.bytes.ToArray()));
        // Rank 0 prepares the folder and writes the model; every rank holding optimizer state writes its file
        // (beside, then renamed); only when all are in (the barrier) does rank 0 write state.json and rename the
        // folder: a checkpoint is complete only when every shard is.
        var dir = World.IsLeader ? store.Prepare(step) : store.TempPath(step);
        _collectives.Barrier();
        if (World.IsLeader) CheckpointSaver.Save(policy, Path.Combine(dir, CheckpointModelFolder), copyFrom: baseDir);
        if (optimizer.Sharded || World.IsLeader)
        {
            var file = Path.Combine(dir, optimizer.Sharded ? $"optimizer-rank-{World.Rank:D5}-of-{World.Size:D5}.bin" : OptimizerFile);
            optimizer.Save(file + ".tmp");
            File.Move(file + ".tmp", file);
        }
        _collectives.Barrier();
        if (!World.IsLeader) return store.TempPath(step);
        var path = store.Commit(state);
        Log($"checkpoint: {path}");
        return path;
    }

    private void WritePlot(string runDir)
    {
        try
        {
            var metrics = MetricsSink.Read(runDir);
            if (metrics.Count > 0) RunPlot.Write(metrics, Path.Combine(runDir, RunPlot.FileName), $"{config.Run.Name}: reward {config.Reward.Name}");
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or TypeInitializationException or DllNotFoundException)
        {
            Log($"plot not written: {e.Message}");
        }
    }

    private IEnumerable<ScoredResponse> PickSamples(IReadOnlyList<ResponseGroup> groups)
    {
        // One response from each group in turn, so a dump shows many prompts.
        int count = config.Telemetry.SamplesCount;
        for (int k = 0; count > 0 && k < config.Rollout.SamplesPerPrompt; k++)
            foreach (var g in groups)
            {
                if (count == 0) yield break;
                if (k < g.Responses.Count) { yield return g.Responses[k]; count--; }
            }
    }
}
