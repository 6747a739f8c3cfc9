using System.Diagnostics;
using System.Text.Json;
using Rlvr.Core.Evaluation;
using Rlvr.Torch.Evaluation;
using Rlvr.Torch.Tests.Training;
using Rlvr.Torch.Training;
using Rlvr.Torch.Training.Telemetry;

namespace Rlvr.Torch.Tests.Evaluation;

/// <summary>
/// `rlvr eval --follow` as a second process beside a tiny-cpu training run that leaves a snapshot every 2
/// steps: one eval.jsonl entry per snapshot while training goes on, and a follower killed and started again
/// loses and repeats nothing.
/// </summary>
[Collection(TinyTrainingRuns.Name)]
public sealed class SnapshotFollowerTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_follower_in_another_process_evaluates_each_snapshot_once_across_a_kill()
    {
        var run = Path.Combine(_temp.Path, "run");
        Directory.CreateDirectory(run);
        var first = StartFollower(run);   // started before the trainer: it waits for the run to begin

        // The trainer evaluates in process too (eval.every=2), for a cross-check below. After step 3 it waits until
        // the follower has written an entry, so that evaluation provably runs while training is under way.
        bool entryWhileTraining = false;
        var config = TrainerEndToEndTests.Tiny("run.steps=6", "eval.every=2", "eval.snapshot_every=2", "checkpoint.every=0");
        var training = Task.Run(() => new GrpoTrainer(config, new TrainOptions(run, StepCompleted: m =>
        {
            if (m.Step == 3) entryWhileTraining = WaitFor(() => SnapshotEvalLog.Read(run).Count > 0);
        })).Run());

        Assert.True(WaitFor(() => SnapshotEvalLog.Read(run).Count > 0 || first.HasExited), "the follower wrote nothing");
        first.Kill(entireProcessTree: true);
        first.WaitForExit();
        var beforeKill = SnapshotEvalLog.Read(run).Select(e => e.Step).ToArray();
        Assert.NotEmpty(beforeKill);

        var second = StartFollower(run);
        var output = second.StandardOutput.ReadToEnd();
        second.WaitForExit();
        var result = training.Result;
        Assert.True(result.Completed, result.Message);
        Assert.True(second.ExitCode == 0, output + second.StandardError.ReadToEnd());
        Assert.True(entryWhileTraining, "no eval.jsonl entry appeared while the trainer waited at step 3");

        // one entry per snapshot (0 = the base model), none lost, none twice; the restarted follower did only the rest
        var entries = SnapshotEvalLog.Read(run);
        Assert.Equal([0, 2, 4, 6], entries.Select(e => e.Step));
        var evaluatedBySecond = output.Split('\n').Where(l => l.StartsWith("step ", StringComparison.Ordinal))
            .Select(l => int.Parse(l["step ".Length..l.IndexOf(':')])).ToArray();
        Assert.Equal(new[] { 0, 2, 4, 6 }.Except(beforeKill), evaluatedBySecond);
        Assert.Contains("the run ended at step 6", output);

        // the follower's greedy held-out accuracy is the in-process evaluation's (another generator, same weights)
        var inProcess = MetricsSink.Read(run).Where(m => m.EvalAccuracy is not null).ToDictionary(m => m.Step, m => m.EvalAccuracy!.Value);
        Assert.Subset(inProcess.Keys.ToHashSet(), new HashSet<int> { 0, 2, 4, 6 });  // 0: the base model, before step 1
        foreach (var e in entries.Where(e => inProcess.ContainsKey(e.Step)))
            Assert.Equal(inProcess[e.Step], Assert.Single(e.Sets).AvgAtK, 12);
        // result files carry the step in their names; the run's TensorBoard has each step once
        Assert.True(File.Exists(Path.Combine(run, "eval", "step-000004", "step-000004_held-out.json")));
        Assert.Equal([0, 2, 4, 6], TensorBoardResumeTests.ScalarsIn(Path.Combine(run, MetricsSink.TensorBoardFolder, SnapshotFollower.TensorBoardFolder),
            "eval/acc_held-out").Select(s => s.Step));
    }

    private static bool WaitFor(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(3)) return false;
            Thread.Sleep(50);
        }
        return true;
    }

    private static Process StartFollower(string run)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { TrainerResumeTests.FindCli(), "eval", "--follow", run, "--threads", "1", "--poll-seconds", "0.1" })
            info.ArgumentList.Add(a);
        return Process.Start(info)!;
    }
}
