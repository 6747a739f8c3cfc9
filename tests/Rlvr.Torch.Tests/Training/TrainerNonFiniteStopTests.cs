using Rlvr.Torch.Checkpoints;
using Rlvr.Torch.Models;
using Rlvr.Torch.Training;
using Rlvr.Torch.Training.Checkpointing;
using Rlvr.Torch.Training.Telemetry;

namespace Rlvr.Torch.Tests.Training;

/// <summary>
/// The run-level guard against NaN/Inf: skipped updates are logged, M skipped optimizer steps in a row
/// stop the run with a clear message and exit status 3, and the newest checkpoint is the last good one.
/// </summary>
/// <remarks>
/// How the updates are made non-finite, honestly and without a test-only hook: the run trains two
/// good steps (checkpoints 1 and 2), then is resumed with <c>grpo.entropy_coef=1e39</c>. That value is
/// a finite double (config validation accepts it) but overflows fp32 when it scales the entropy term,
/// so every micro-batch loss is -Inf, exactly the kind of overflow a real run meets. The weights are
/// never touched (each update is skipped), so sampling keeps working and the stop is reached by the
/// bad-step counter alone.
/// </remarks>
[Collection(TinyTrainingRuns.Name)]
public class TrainerNonFiniteStopTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rlvr-nonfinite-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { if (Directory.Exists(_root)) Directory.Delete(_root, true); }

    // 32 prompts x 8 samples / train batch 128 = 2 optimizer steps per training step, so with
    // max_bad_steps=3 the stop comes in step 4: step 3 skips 2 (2 in a row), step 4 skips 2 more (4 >= 3).
    private static readonly string[] Common = ["eval.every=0", "checkpoint.every=1", "checkpoint.keep=3", "telemetry.samples_every=0",
        "warm_start.steps=20", "checkpoint.max_bad_steps=3"];

    [Fact]
    public void Non_finite_updates_are_skipped_logged_and_stop_the_run_with_the_last_good_checkpoint_intact()
    {
        var dir = Path.Combine(_root, "run");
        var good = new GrpoTrainer(TrainerEndToEndTests.Tiny([.. Common, "run.steps=2"]), new TrainOptions(dir)).Run();
        Assert.True(good.Completed, good.Message);
        var checkpoints = Path.Combine(dir, "checkpoints");
        var goodWeights = File.ReadAllBytes(Path.Combine(checkpoints, "step-000002", "model", "model.safetensors"));

        var cli = TrainerResumeTests.StartCli(dir, resume: true, [.. Common, "run.steps=10", "grpo.entropy_coef=1e39"]);
        var output = cli.StandardOutput.ReadToEnd();
        var errors = cli.StandardError.ReadToEnd();
        cli.WaitForExit();

        // a documented, non-zero status (TrainCommand: 3 = stopped before the last step) and a clear message
        Assert.True(cli.ExitCode == 3, $"exit {cli.ExitCode}\n{output}\n{errors}");
        Assert.Contains("step 3: 2 optimizer step(s) skipped (NaN/Inf loss or gradient)", output);
        Assert.Contains("stopped at step 4: 4 optimizer steps in a row had a NaN/Inf loss or gradient and were skipped; last good checkpoint: "
            + Path.Combine(Path.GetFullPath(checkpoints), "step-000002"), output);

        // metrics.jsonl logs the skipped steps: good steps 1-2, then steps 3-4 with nothing applied
        var metrics = MetricsSink.Read(dir);
        Assert.Equal([1, 2, 3, 4], metrics.Select(m => m.Step));
        Assert.All(metrics.Take(2), m => { Assert.Equal(2, m.OptimizerSteps); Assert.Equal(0, m.SkippedSteps); });
        Assert.All(metrics.Skip(2), m => { Assert.Equal(0, m.OptimizerSteps); Assert.Equal(2, m.SkippedSteps); });

        // no checkpoint was written for the bad steps; the newest one is step 2, unchanged, and it loads
        Assert.Equal(["step-000001", "step-000002"], Directory.GetDirectories(checkpoints).Select(Path.GetFileName).Order());
        var latest = new CheckpointStore(checkpoints, 3).Latest();
        Assert.NotNull(latest);
        Assert.Equal(2, latest.Value.State.Step);
        Assert.Equal(0, latest.Value.State.BadStepsInARow);
        Assert.Equal(goodWeights, File.ReadAllBytes(Path.Combine(latest.Value.Path, "model", "model.safetensors")));
        using (var model = CheckpointLoader.Load(Path.Combine(latest.Value.Path, "model"), Placement.Cpu))
            Assert.All(model.named_parameters(), p => Assert.True(p.parameter.isfinite().all().item<bool>(), p.name));

        // --resume with sane settings picks step 2 and trains on from there (the bad steps' metrics are replaced)
        var log = new List<string>();
        var resumed = new GrpoTrainer(TrainerEndToEndTests.Tiny([.. Common, "run.steps=3"]), new TrainOptions(dir, Resume: true, Log: log.Add)).Run();
        Assert.True(resumed.Completed, resumed.Message);
        Assert.Contains(log, l => l.StartsWith($"resumed from {latest.Value.Path} (step 2,", StringComparison.Ordinal));
        var after = MetricsSink.Read(dir);
        Assert.Equal([1, 2, 3], after.Select(m => m.Step));
        Assert.Equal(2, after[2].OptimizerSteps);
        Assert.Equal(0, after[2].SkippedSteps);
    }
}
