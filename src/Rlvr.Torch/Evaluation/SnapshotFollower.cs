using System.Globalization;
using Rlvr.Core.Data;
using Rlvr.Core.Evaluation;
using Rlvr.Core.IO;
using Rlvr.Core.Templates;
using Rlvr.Grading;
using Rlvr.Torch.Models;
using Rlvr.Torch.Training;
using Rlvr.Torch.Training.Checkpointing;
using Rlvr.Torch.Training.Configuration;
using Rlvr.Torch.Training.Telemetry;
using TorchSharp.Modules;
using static TorchSharp.torch.utils;

namespace Rlvr.Torch.Evaluation;

/// <summary>How `rlvr eval --follow RUN_DIR` runs.</summary>
/// <param name="RunDirectory">The training run's folder.</param>
/// <param name="Placement">Where the snapshots are evaluated (another GPU than the trainer's, or the CPU).</param>
/// <param name="Poll">How long to wait before looking for a new snapshot again.</param>
/// <param name="Log">Progress lines.</param>
public sealed record FollowOptions(string RunDirectory, Placement Placement, TimeSpan Poll, Action<string> Log);

/// <summary>
/// Evaluation beside training (upstream's asynchronous evaluation, without stalling the trainer): evaluates
/// each weight snapshot the trainer leaves (<see cref="SnapshotStore"/>) as it appears, oldest first, on the
/// run's <c>eval.sets</c> (or its held-out slice, greedy) with the run's template, grader and token budget.
/// Each snapshot's result files go to <c>eval/step-NNNNNN/</c> named <c>step-NNNNNN_{set}.json</c>; then one
/// line is appended to <c>eval.jsonl</c> (<see cref="SnapshotEvalLog"/>) and the figures to the run's
/// TensorBoard (<c>tensorboard/eval-follower/</c>: eval/acc_{set}, eval/pass_at_k_{set}, as upstream names them).
/// A kill loses nothing and repeats nothing: a snapshot counts as done once its eval.jsonl line is written,
/// and one cut short resumes from its evaluation journals. It returns when the trainer has marked the run's
/// end and every snapshot is evaluated.
/// </summary>
public static class SnapshotFollower
{
    /// <summary>The follower's TensorBoard folder inside the run's tensorboard/ folder.</summary>
    public const string TensorBoardFolder = "eval-follower";

    /// <summary>Follows the run until it has ended and every snapshot is evaluated; returns how many it evaluated.</summary>
    public static int Run(FollowOptions options, CancellationToken cancel = default)
    {
        var runDir = Path.GetFullPath(options.RunDirectory);
        if (!Directory.Exists(runDir)) throw new DirectoryNotFoundException($"--follow {options.RunDirectory}: no such run folder");
        var configPath = Path.Combine(runDir, GrpoTrainer.ConfigFile);
        while (!File.Exists(configPath))
        {
            options.Log($"waiting for {configPath} (the trainer writes it when it starts)");
            if (cancel.WaitHandle.WaitOne(options.Poll)) cancel.ThrowIfCancellationRequested();
        }
        // The trainer locks the run folder; a follower locks its eval/ folder, so that two followers never evaluate one run.
        using var folderLock = RunFolderLock.Acquire(Path.Combine(runDir, "eval"), "rlvr eval --follow");
        var config = ConfigLoader.Load(configPath);
        var work = Plan(config);
        var grader = Graders.Create(config.Reward.ToGraderMode(), config.Reward.ToGradeOptions());
        var template = PromptTemplates.Create(config.Data.Template);
        var store = SnapshotStore.InRun(runDir);
        using var board = config.Telemetry.Tensorboard ? new Board(runDir) : null;
        options.Log($"following {runDir}: {string.Join(", ", work.Select(w => $"{w.Dataset} ({w.Problems.Count} problems, k {w.Plan.Samples})"))} on {options.Placement}");
        int evaluated = 0;
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            var end = store.Finished();   // read before listing: every snapshot of an ended run is then listed
            var done = SnapshotEvalLog.EvaluatedSteps(runDir);
            var pending = store.Complete().Where(s => !done.Contains(s.Step)).ToList();
            if (pending.Count > 0)
            {
                var entry = Evaluate(pending[0].Step, pending[0].Path, runDir, config, work, template, grader, options, cancel);
                SnapshotEvalLog.Append(runDir, entry);
                board?.Write(entry);
                evaluated++;
                options.Log(string.Create(CultureInfo.InvariantCulture, $"step {entry.Step}: ")
                    + string.Join(", ", entry.Sets.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Set} avg@{s.K} {s.AvgAtK:F3} pass@{s.K} {s.PassAtK:F3}"))));
                continue;
            }
            if (end is not null)
            {
                options.Log($"the run ended at step {end.LastStep}{(end.Completed ? "" : " (stopped early)")}; every snapshot is evaluated");
                return evaluated;
            }
            if (cancel.WaitHandle.WaitOne(options.Poll)) cancel.ThrowIfCancellationRequested();
        }
    }

    /// <summary>The run's evaluation work: its named sets, or its held-out slice greedy (as the in-process evaluation).</summary>
    private static IReadOnlyList<EvalWork> Plan(TrainConfig config)
    {
        if (config.Eval.Sets.Count > 0) return EvalSession.Plan(new EvalRequest(config.Eval.Sets, Limit: config.Eval.MaxPrompts));
        var (_, heldOut) = TrainingSetup.LoadProblems(config.Data, config.Run.Seed);
        if (heldOut.Count == 0)
            throw new InvalidDataException("the run names no eval.sets and holds out no data (data.held_out): nothing to evaluate its snapshots on");
        return [new EvalWork("held-out", heldOut.Take(config.Eval.MaxPrompts).ToArray(), new SamplingPlan(1, EvalDefaults.GreedyTemperature))];
    }

    private static SnapshotEvalEntry Evaluate(int step, string snapshot, string runDir, TrainConfig config, IReadOnlyList<EvalWork> work,
        IPromptTemplate template, IAnswerGrader grader, FollowOptions options, CancellationToken cancel)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"step-{step:D6}");
        var settings = new EvalSettings(name, Path.Combine(runDir, "eval", name), config.Reward.Grader, template,
            MaxNewTokens: config.Eval.MaxNewTokens, Seed: StepRandom.Seed(config.Run.Seed, step, StepRandom.Stream.Eval),
            ModelPath: snapshot, Device: options.Placement.Device.ToString());
        Directory.CreateDirectory(settings.OutputDir);
        using var model = EvalModel.Load(snapshot, options.Placement);
        var (_, results) = EvalSession.Run(work, settings, model.Generator(), grader, cancel: cancel);
        return SnapshotEvalLog.Entry(step, results);
    }

    /// <summary>
    /// The follower's TensorBoard file. On start it is rebuilt from eval.jsonl (old files deleted, every entry
    /// written again), so a killed follower's figures show once each, and none is missing.
    /// </summary>
    private sealed class Board : IDisposable
    {
        private readonly SummaryWriter _writer;

        public Board(string runDir)
        {
            var folder = Path.Combine(runDir, MetricsSink.TensorBoardFolder, TensorBoardFolder);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            _writer = tensorboard.SummaryWriter(folder);
            foreach (var entry in SnapshotEvalLog.Read(runDir)) Write(entry);
        }

        public void Write(SnapshotEvalEntry entry)
        {
            foreach (var s in entry.Sets)
            {
                _writer.add_scalar($"eval/acc_{s.Set}", (float)s.AvgAtK, entry.Step);
                _writer.add_scalar($"eval/pass_at_k_{s.Set}", (float)s.PassAtK, entry.Step);
                _writer.add_scalar($"eval/code_frequency_{s.Set}", (float)s.CodeFrequency, entry.Step);
            }
            _writer.add_scalar("eval/mean_acc", (float)entry.MeanAvgAtK, entry.Step);
        }

        public void Dispose() => (_writer as IDisposable)?.Dispose();
    }
}
