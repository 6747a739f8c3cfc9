using System.Diagnostics;
using Rlvr.Torch.Checkpoints;
using Rlvr.Torch.Models;
using Rlvr.Torch.Tests.Training;
using Rlvr.Torch.Training;
using Rlvr.Torch.Training.Telemetry;

namespace Rlvr.Torch.Tests.Distributed;

/// <summary>
/// The same tiny-cpu run (4 steps, a checkpoint after each) in one process and as 2 ranks under mpirun,
/// unsharded and with ZeRO-1. Made once for the class: each run builds its tiny model and trains.
/// </summary>
public sealed class TwoRankRuns : IDisposable
{
    public readonly string Root = Path.Combine(Path.GetTempPath(), "rlvr-mpi-" + Guid.NewGuid().ToString("N"));

    /// <summary>
    /// 32 prompts per step in generate calls of 16: each of 2 ranks samples one call, and a call's batch and
    /// seed are the same in one process, so the rollouts are too.
    /// </summary>
    public static readonly string[] Overrides = ["run.steps=4", "rollout.prompts_per_generate_call=16", "eval.every=0",
        "checkpoint.every=1", "checkpoint.keep=4", "telemetry.samples_every=1"];

    public string OneProcess => Path.Combine(Root, "one");
    public string TwoRanks => Path.Combine(Root, "two");
    public string TwoRanksZero1 => Path.Combine(Root, "two-zero1");

    public TwoRankRuns()
    {
        if (MpiRun.Missing is not null) return;
        var result = new GrpoTrainer(TrainerEndToEndTests.Tiny(Overrides), new TrainOptions(OneProcess)).Run();
        Assert.True(result.Completed, result.Message);
        Train(TwoRanks);
        Train(TwoRanksZero1, "optimizer.zero_stage=1");
    }

    /// <summary>`rlvr train` on 2 ranks into <paramref name="runDir"/>.</summary>
    public static void Train(string runDir, params string[] extra)
    {
        var (code, output, error) = MpiRun.Run(2, Arguments(runDir, extra));
        Assert.True(code == 0, $"mpirun exited {code}: {output}\n{error}");
    }

    public static IEnumerable<string> Arguments(string runDir, IEnumerable<string> extra, bool resume = false)
    {
        yield return "train"; yield return "--config"; yield return "tiny-cpu"; yield return "--out"; yield return runDir;
        foreach (var o in Overrides.Concat(extra)) { yield return "--set"; yield return o; }
        if (resume) yield return "--resume";
    }

    public void Dispose() { if (Directory.Exists(Root)) Directory.Delete(Root, true); }
}

[Collection(TinyTrainingRuns.Name)]
public class MultiRankTrainingTests(TwoRankRuns runs) : IClassFixture<TwoRankRuns>
{
    [MpiFact]
    public void Two_ranks_make_the_one_process_update_and_report_its_metrics()
    {
        // Each rank samples one generate call and computes one of the 2 micro-batches of each train batch;
        // the all-reduce adds 2 gradients, the same single fp32 addition one process's autograd makes, so
        // the result is bit-identical here; the bound is the one promised in general (ranks holding several
        // micro-batches add them in another order: a few ulps).
        foreach (var step in new[] { 1, 4 })
            AssertSameWeights(Model(runs.OneProcess, step), Model(runs.TwoRanks, step), relative: 1e-6);
        AssertSameMetrics(runs.OneProcess, runs.TwoRanks);
        var metrics = MetricsSink.Read(runs.TwoRanks);
        Assert.All(metrics, m => Assert.True(m.BytesCommunicated > 0 && m.SecondsCommunicating > 0));
        Assert.All(MetricsSink.Read(runs.OneProcess), m => Assert.Equal(0, m.BytesCommunicated));
        // the samples rank 0 dumps are the one process's: rollouts do not depend on the world size
        Assert.Equal(File.ReadAllLines(Path.Combine(runs.OneProcess, MetricsSink.SamplesFile)),
            File.ReadAllLines(Path.Combine(runs.TwoRanks, MetricsSink.SamplesFile)));
    }

    [MpiFact]
    public void ZeRO_1_shards_the_optimizer_state_and_makes_the_unsharded_update()
    {
        foreach (var step in new[] { 1, 4 })
            AssertSameWeights(Model(runs.TwoRanks, step), Model(runs.TwoRanksZero1, step), relative: 1e-6);
        AssertSameMetrics(runs.TwoRanks, runs.TwoRanksZero1);
        var checkpoint = Path.Combine(runs.TwoRanksZero1, "checkpoints", "step-000004");
        var shards = Directory.GetFiles(checkpoint, "optimizer*.bin").Select(f => Path.GetFileName(f)).Order().ToArray();
        Assert.Equal(["optimizer-rank-00000-of-00002.bin", "optimizer-rank-00001-of-00002.bin"], shards);
        // each shard holds part of the state: both together are the unsharded file plus two headers
        long whole = new FileInfo(Path.Combine(runs.TwoRanks, "checkpoints", "step-000004", "optimizer.bin")).Length;
        var sizes = shards.Select(s => new FileInfo(Path.Combine(checkpoint, s)).Length).ToArray();
        Assert.All(sizes, size => Assert.InRange(size, whole / 4, whole * 3 / 4));
    }

    [MpiFact]
    public void A_bfloat16_run_on_two_ranks_with_ZeRO_1_or_2_equals_one_process()
    {
        // The GPU's numerics: bf16 weights and gradients, fp32 masters and gradient sums. Each rank's micro-batch
        // gradient enters an fp32 sum; the ranks' sums are added in fp32 (all-reduced, or with ZeRO-2 reduced to
        // the parameter's owner), as one process adds its two micro-batches; the owner rounds its updated master
        // to bf16 and broadcasts those bytes. With ZeRO-2 the gradient norm is the sum of the two ranks' partial
        // sums of squares (fp64, another association than one process's): equal to well below 1e-6 here.
        string[] bf16 = ["model.dtype=bfloat16", "run.steps=2"];
        var one = Path.Combine(runs.Root, "bf16-one");
        var result = new GrpoTrainer(TrainerEndToEndTests.Tiny([.. TwoRankRuns.Overrides, .. bf16]), new TrainOptions(one)).Run();
        Assert.True(result.Completed, result.Message);
        foreach (var stage in new[] { 1, 2 })
        {
            var two = Path.Combine(runs.Root, $"bf16-two-zero{stage}");
            TwoRankRuns.Train(two, [.. bf16, $"optimizer.zero_stage={stage}"]);
            AssertSameWeights(Model(one, 2), Model(two, 2), relative: 1e-6);
            var (a, b) = (MetricsSink.Read(one), MetricsSink.Read(two));
            Assert.Equal(a.Select(m => m.GradNorm), b.Select(m => m.GradNorm), (x, y) => Math.Abs(x - y) <= 1e-12 * Math.Abs(x));
            Assert.Equal(a.Select(m => m.RewardMean), b.Select(m => m.RewardMean));
            Assert.Equal(a.Select(m => m.Loss), b.Select(m => m.Loss));
        }
    }

    [MpiFact]
    public void A_ZeRO_1_checkpoint_of_two_ranks_resumes_in_one_process()
    {
        // Re-sharding: one process takes every parameter's state from whichever shard holds it.
        var dir = Path.Combine(runs.Root, "resharded");
        CopyRunUpTo(runs.TwoRanksZero1, dir, step: 2);
        var result = new GrpoTrainer(TrainerEndToEndTests.Tiny(TwoRankRuns.Overrides), new TrainOptions(dir, Resume: true)).Run();
        Assert.True(result.Completed, result.Message);
        AssertSameMetrics(runs.TwoRanksZero1, dir);
    }

    [MpiFact]
    public void Killing_one_rank_ends_the_other_and_resume_repeats_the_uninterrupted_run()
    {
        var dir = Path.Combine(runs.Root, "killed");
        using (var launcher = MpiRun.Start(2, TwoRankRuns.Arguments(dir, ["optimizer.zero_stage=1"])))
        {
            _ = launcher.StandardError.ReadToEndAsync();
            string? line;
            while ((line = launcher.StandardOutput.ReadLine()) is not null && !line.StartsWith("step 2:", StringComparison.Ordinal)) { }
            Assert.True(line is not null, "the 2-rank run never reported step 2");
            int rank0 = MpiRun.RankProcess(launcher, 0);
            Process.GetProcessById(MpiRun.RankProcess(launcher, 1)).Kill(); // SIGKILL
            _ = launcher.StandardOutput.ReadToEndAsync();
            // Open MPI's launcher notices the dead rank and kills the rest of the job: a bounded time, not a hang.
            Assert.True(launcher.WaitForExit(TimeSpan.FromSeconds(30)), "mpirun still ran 30 s after rank 1 was killed");
            Assert.NotEqual(0, launcher.ExitCode);
            // The surviving rank itself must end too (it holds the run folder's lock until it does); the
            // launcher can return while the kill it sent is still being delivered.
            Assert.True(MpiRun.WaitUntilGone(rank0, TimeSpan.FromSeconds(30)), "rank 0 still ran 30 s after rank 1 was killed");
        }
        var (code, output, error) = MpiRun.Run(2, TwoRankRuns.Arguments(dir, ["optimizer.zero_stage=1"], resume: true));
        Assert.True(code == 0, $"resume exited {code}: {output}\n{error}");
        Assert.Contains("resumed from", output);
        AssertSameMetrics(runs.TwoRanksZero1, dir);
    }

    internal static string Model(string runDir, int step) =>
        Path.Combine(runDir, "checkpoints", FormattableString.Invariant($"step-{step:D6}"), "model");

    /// <summary>Every parameter of the two HF folders equal element-wise within <paramref name="relative"/> of the larger magnitude.</summary>
    internal static void AssertSameWeights(string expectedDir, string actualDir, double relative)
    {
        using var expected = CheckpointLoader.Load(expectedDir, Placement.Cpu);
        using var actual = CheckpointLoader.Load(actualDir, Placement.Cpu);
        var theirs = actual.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in expected.named_parameters())
        {
            var a = p.data<float>().ToArray();
            var b = theirs[name].data<float>().ToArray();
            Assert.Equal(a.Length, b.Length);
            for (int i = 0; i < a.Length; i++)
                Assert.True(Math.Abs(a[i] - b[i]) <= relative * Math.Max(Math.Abs(a[i]), Math.Abs(b[i])),
                    $"{name}[{i}]: {a[i]:R} vs {b[i]:R} ({expectedDir} vs {actualDir})");
        }
    }

    internal static void AssertSameMetrics(string expectedDir, string actualDir)
    {
        var expected = MetricsSink.Read(expectedDir);
        var actual = MetricsSink.Read(actualDir);
        Assert.Equal(expected.Select(m => m.Step), actual.Select(m => m.Step));
        for (int i = 0; i < expected.Count; i++)
            Assert.Equal(TrainerResumeTests.WithoutTimings(expected[i]), TrainerResumeTests.WithoutTimings(actual[i]));
    }

    /// <summary>A copy of a run folder as it stood after <paramref name="step"/>: its checkpoints up to there and those steps' metrics.</summary>
    private static void CopyRunUpTo(string from, string to, int step)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            var parts = relative.Split(Path.DirectorySeparatorChar);
            if (parts[0] == "checkpoints" && int.Parse(parts[1]["step-".Length..], System.Globalization.CultureInfo.InvariantCulture) > step) continue;
            if (parts[0] is "tensorboard" or "samples.jsonl" || relative.EndsWith(".png", StringComparison.Ordinal)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(to, relative))!);
            if (relative == MetricsSink.MetricsFile)
                File.WriteAllLines(Path.Combine(to, relative), File.ReadAllLines(file).Take(step));
            else File.Copy(file, Path.Combine(to, relative));
        }
    }
}
