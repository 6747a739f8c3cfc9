using System.Diagnostics;
using System.Text.Json;
using Rlvr.Tests;
using Rlvr.Torch.Training;
using Rlvr.Torch.Training.Checkpointing;
using Rlvr.Torch.Training.Telemetry;

namespace Rlvr.Torch.Tests.Training;

/// <summary>
/// Kill and resume: `rlvr train` is started as a process, killed with SIGKILL as soon as it reports
/// step 3, and resumed with --resume; its steps 4-6 must equal those of an uninterrupted run with the
/// same seed (timings aside), and the leftovers of the kill must never be taken for a checkpoint.
/// </summary>
[Collection(TinyTrainingRuns.Name)]
public class TrainerResumeTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rlvr-resume-" + Guid.NewGuid().ToString("N"));
    private static readonly string[] Overrides = ["run.steps=6", "checkpoint.every=1", "checkpoint.keep=2", "eval.every=0", "telemetry.samples_every=1"];

    public void Dispose() { if (Directory.Exists(_root)) Directory.Delete(_root, true); }

    [Fact]
    public void A_run_killed_after_step_3_resumes_to_the_same_metrics()
    {
        var killedDir = Path.Combine(_root, "killed");
        var killed = StartCli(killedDir, resume: false);
        bool sawStep3 = false;
        string? line;
        while ((line = killed.StandardOutput.ReadLine()) is not null)
        {
            if (line.StartsWith("step 3:", StringComparison.Ordinal)) { sawStep3 = true; killed.Kill(entireProcessTree: true); break; }
        }
        killed.WaitForExit();
        Assert.True(sawStep3, "the CLI run never reported step 3: " + killed.StandardError.ReadToEnd());
        Assert.NotEqual(0, killed.ExitCode);  // it died, it did not finish

        // What a kill mid-save leaves behind, made certain: a half-written checkpoint folder "from the future".
        var checkpoints = Path.Combine(killedDir, "checkpoints");
        Directory.CreateDirectory(Path.Combine(checkpoints, ".tmp-step-000009", "model"));
        File.WriteAllText(Path.Combine(checkpoints, ".tmp-step-000009", "optimizer.bin"), "torn");
        var picked = new CheckpointStore(checkpoints, 2).Latest();
        Assert.NotNull(picked);
        Assert.InRange(picked.Value.State.Step, 2, 4);  // a complete one: the kill came at step 3's report

        var resumed = StartCli(killedDir, resume: true);
        var output = resumed.StandardOutput.ReadToEnd();
        resumed.WaitForExit();
        Assert.True(resumed.ExitCode == 0, output + resumed.StandardError.ReadToEnd());
        Assert.Contains("resumed from", output);
        Assert.False(Directory.Exists(Path.Combine(checkpoints, ".tmp-step-000009")));

        var reference = Path.Combine(_root, "uninterrupted");
        var result = new GrpoTrainer(TrainerEndToEndTests.Tiny(Overrides), new TrainOptions(reference)).Run();
        Assert.True(result.Completed, result.Message);

        var expected = MetricsSink.Read(reference);
        var actual = MetricsSink.Read(killedDir);
        Assert.Equal([1, 2, 3, 4, 5, 6], actual.Select(m => m.Step));
        // TensorBoard shows each step once, although the killed process had logged past its checkpoint
        Assert.Equal([1, 2, 3, 4, 5, 6], TensorBoardResumeTests.Scalars(killedDir, "train/reward_mean").Select(s => s.Step));
        for (int i = 0; i < 6; i++) Assert.Equal(WithoutTimings(expected[i]), WithoutTimings(actual[i]));
        // sample completions of steps 4-6 agree as well
        Assert.Equal(File.ReadAllLines(Path.Combine(reference, MetricsSink.SamplesFile)),
            File.ReadAllLines(Path.Combine(killedDir, MetricsSink.SamplesFile)));
    }

    [Fact]
    public void A_bfloat16_run_resumes_to_the_same_metrics()
    {
        // The GPU's numerics on the CPU: bf16 weights with fp32 masters and moments that must round-trip
        // through optimizer.bin, and fp32 gradient sums (tiny-cpu's train batch spans two micro-batches).
        string[] bf16 = ["model.dtype=bf16", "checkpoint.every=1", "checkpoint.keep=1", "eval.every=0", "telemetry.samples_every=1"];
        var resumedDir = Path.Combine(_root, "bf16-resumed");
        Assert.True(new GrpoTrainer(TrainerEndToEndTests.Tiny([.. bf16, "run.steps=3"]), new TrainOptions(resumedDir)).Run().Completed);
        var resumed = new GrpoTrainer(TrainerEndToEndTests.Tiny([.. bf16, "run.steps=5"]), new TrainOptions(resumedDir, Resume: true)).Run();
        Assert.True(resumed.Completed, resumed.Message);

        var referenceDir = Path.Combine(_root, "bf16-uninterrupted");
        Assert.True(new GrpoTrainer(TrainerEndToEndTests.Tiny([.. bf16, "run.steps=5"]), new TrainOptions(referenceDir)).Run().Completed);
        var expected = MetricsSink.Read(referenceDir);
        var actual = MetricsSink.Read(resumedDir);
        Assert.Equal([1, 2, 3, 4, 5], actual.Select(m => m.Step));
        for (int i = 0; i < 5; i++) Assert.Equal(WithoutTimings(expected[i]), WithoutTimings(actual[i]));
    }

    [Fact]
    public void Slowed_grading_gives_the_same_rewards_and_metrics_after_resume()
    {
        // A machine so slow that every look at the clock finds 300 ms gone: a wall-clock bound of 250 ms (the
        // old training bound) turns a correct answer that needs the symbolic check into a timeout, as the first
        // assertions show. The training reward is
        // bounded by work instead, so a run resumed on that machine repeats the uninterrupted one exactly.
        var slow = new SlowClock(TimeSpan.FromMilliseconds(300));
        Assert.True(new Rlvr.Grading.Paper.PaperGrader().Grade(@"\boxed{1+x}", "x+1").Correct);
        Assert.True(new Rlvr.Grading.Paper.PaperGrader(Rlvr.Grading.GradeOptions.Default with { Clock = slow }).Grade(@"\boxed{1+x}", "x+1").TimedOut);
        Assert.True(new Rlvr.Grading.Paper.PaperGrader(TrainerEndToEndTests.Tiny().Reward.ToGradeOptions(clock: slow)).Grade(@"\boxed{1+x}", "x+1").Correct);
        string[] settings = ["checkpoint.every=1", "checkpoint.keep=1", "eval.every=0", "telemetry.samples_every=1"];
        var resumedDir = Path.Combine(_root, "slowed");
        Assert.True(new GrpoTrainer(TrainerEndToEndTests.Tiny([.. settings, "run.steps=1"]), new TrainOptions(resumedDir)).Run().Completed);
        var resumed = new GrpoTrainer(TrainerEndToEndTests.Tiny([.. settings, "run.steps=3"]),
            new TrainOptions(resumedDir, Resume: true, GradeClock: slow)).Run();
        Assert.True(resumed.Completed, resumed.Message);
        Assert.True(slow.Reads > 100, $"the slowed clock was read {slow.Reads} times: grading did not use it");

        var referenceDir = Path.Combine(_root, "unslowed");
        Assert.True(new GrpoTrainer(TrainerEndToEndTests.Tiny([.. settings, "run.steps=3"]), new TrainOptions(referenceDir)).Run().Completed);
        var expected = MetricsSink.Read(referenceDir);
        var actual = MetricsSink.Read(resumedDir);
        Assert.Equal([1, 2, 3], actual.Select(m => m.Step));
        Assert.All(actual, m => Assert.Equal(0, m.GradeTimeouts));
        for (int i = 0; i < 3; i++) Assert.Equal(WithoutTimings(expected[i]), WithoutTimings(actual[i]));
        Assert.Equal(File.ReadAllLines(Path.Combine(referenceDir, MetricsSink.SamplesFile)),
            File.ReadAllLines(Path.Combine(resumedDir, MetricsSink.SamplesFile)));
    }

    internal static string WithoutTimings(StepMetrics m) => JsonSerializer.Serialize(m with
    {
        TokensPerSecond = 0, SecondsGenerating = 0, SecondsScoring = 0, SecondsTraining = 0, SecondsCommunicating = 0, BytesCommunicated = 0, SecondsStep = 0,
    });

    /// <summary>Starts `rlvr train` on the tiny-cpu preset in <paramref name="runDir"/> with <paramref name="overrides"/> (default: this test's).</summary>
    internal static Process StartCli(string runDir, bool resume, IReadOnlyList<string>? overrides = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(FindCli());
        foreach (var a in new[] { "train", "--config", "tiny-cpu", "--out", runDir }) info.ArgumentList.Add(a);
        foreach (var o in overrides ?? Overrides) { info.ArgumentList.Add("--set"); info.ArgumentList.Add(o); }
        if (resume) info.ArgumentList.Add("--resume");
        return Process.Start(info)!;
    }

    /// <summary>
    /// rlvr.dll: the copy beside the tests (the test project references the CLI, so it is built with
    /// them and matches this code), else the newest build under artifacts/bin/Rlvr.Cli.
    /// </summary>
    internal static string FindCli()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "rlvr.dll");
        if (File.Exists(beside)) return beside;
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "bin", "Rlvr.Cli"))) dir = dir.Parent;
        Assert.True(dir is not null, "rlvr.dll not found: build src/Rlvr.Cli before running this test");
        var builds = Directory.GetFiles(Path.Combine(dir!.FullName, "bin", "Rlvr.Cli"), "rlvr.dll", SearchOption.AllDirectories);
        Assert.True(builds.Length > 0, "rlvr.dll not found under artifacts/bin/Rlvr.Cli: build src/Rlvr.Cli first");
        return builds.OrderByDescending(File.GetLastWriteTimeUtc).First();
    }
}
