using System.Diagnostics;
using Rlvr.Torch.Training;
using Rlvr.Torch.Training.Checkpointing;
using Rlvr.Torch.Training.Telemetry;

namespace Rlvr.Torch.Tests.Training;

/// <summary>
/// SIGTERM (what a Slurm preemption sends) on `rlvr train`: the process finishes the step in flight, writes a
/// checkpoint of it although none was due (checkpoint.every=0: only at the end), says so and exits 143; the
/// resumed run then repeats the uninterrupted run's metrics.
/// </summary>
[Collection(TinyTrainingRuns.Name)]
public sealed class TrainerSignalTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rlvr-signal-" + Guid.NewGuid().ToString("N"));
    private static readonly string[] Overrides = ["run.steps=5", "checkpoint.every=0", "checkpoint.keep=1", "eval.every=0", "telemetry.samples_every=1"];

    public void Dispose() { if (Directory.Exists(_root)) Directory.Delete(_root, true); }

    // libc's kill(2): no kill binary is needed on the machine (a bare Debian image has none).
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private const int SigTerm = 15;

    [Fact]
    public void Sigterm_checkpoints_the_last_finished_step_exits_143_and_the_resumed_run_repeats_the_uninterrupted_one()
    {
        var dir = Path.Combine(_root, "terminated");
        using var run = TrainerResumeTests.StartCli(dir, resume: false, Overrides);
        var stderr = run.StandardError.ReadToEndAsync();
        string? line;
        while ((line = run.StandardOutput.ReadLine()) is not null && !line.StartsWith("step 2:", StringComparison.Ordinal)) { }
        Assert.True(line is not null, "the run never reported step 2");
        Assert.Equal(0, Kill(run.Id, SigTerm));
        var rest = run.StandardOutput.ReadToEnd();
        run.WaitForExit();
        Assert.True(run.ExitCode == 143, $"exit {run.ExitCode}: {rest}\n{stderr.Result}");
        Assert.Contains("SIGTERM: finishing the current step", stderr.Result);

        // The newest checkpoint is that of the last step the metrics show: nothing finished was lost.
        var lastStep = MetricsSink.Read(dir).Max(m => m.Step);
        Assert.InRange(lastStep, 2, 4);
        var checkpoint = new CheckpointStore(Path.Combine(dir, "checkpoints"), 1).Latest();
        Assert.NotNull(checkpoint);
        Assert.Equal(lastStep, checkpoint.Value.State.Step);
        Assert.Contains($"stopped by SIGTERM after step {lastStep} of 5", rest);

        using var resumed = TrainerResumeTests.StartCli(dir, resume: true, Overrides);
        var output = resumed.StandardOutput.ReadToEnd();
        resumed.WaitForExit();
        Assert.True(resumed.ExitCode == 0, output + resumed.StandardError.ReadToEnd());
        Assert.Contains("resumed from", output);

        var reference = Path.Combine(_root, "uninterrupted");
        Assert.True(new GrpoTrainer(TrainerEndToEndTests.Tiny(Overrides), new TrainOptions(reference)).Run().Completed);
        var expected = MetricsSink.Read(reference);
        var actual = MetricsSink.Read(dir);
        Assert.Equal([1, 2, 3, 4, 5], actual.Select(m => m.Step));
        for (int i = 0; i < 5; i++) Assert.Equal(TrainerResumeTests.WithoutTimings(expected[i]), TrainerResumeTests.WithoutTimings(actual[i]));
    }

    [Fact]
    public void A_stop_request_ends_the_run_after_the_step_in_flight_with_a_checkpoint_of_it()
    {
        var stop = new StopRequest();
        var dir = Path.Combine(_root, "stopped");
        var result = new GrpoTrainer(TrainerEndToEndTests.Tiny(Overrides), new TrainOptions(dir,
            StepCompleted: m => { if (m.Step == 2) stop.Request("SIGINT", 130); }, Stop: stop)).Run();
        Assert.False(result.Completed);
        Assert.Equal((2, 130), (result.LastStep, result.StopExitCode));
        Assert.Equal(2, new CheckpointStore(Path.Combine(dir, "checkpoints"), 1).Latest()!.Value.State.Step);
        Assert.False(stop.Request("SIGINT", 130));  // a second request: the CLI then stops at once
    }
}
