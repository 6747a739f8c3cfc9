using Rlvr.Core.Analysis;
using Rlvr.Core.Reporting;

namespace Rlvr.Core.Tests;

/// <summary>
/// `rlvr analyze curves`: run folders written by hand (metrics.jsonl lines as the trainer writes them, config.yaml,
/// eval.jsonl in its documented schema), grouped into conditions by their settings, seeds reduced to bands with
/// values computed by hand, and the figures written as PNG and SVG.
/// </summary>
public sealed class TrainingCurvesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rlvr-curves-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A run folder: rewards per step, a clip bucket, held-out accuracy at step 2, and an eval.jsonl entry.</summary>
    private string Run(string name, string reward, int seed, double[] rewards)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root, name)).FullName;
        File.WriteAllText(Path.Combine(dir, "config.yaml"), $"run:\n  name: tiny-cpu\n  seed: {seed}\n  steps: {rewards.Length}\nreward:\n  name: {reward}\n");
        var lines = rewards.Select((r, i) =>
            $"{{\"step\":{i + 1},\"reward_mean\":{r},\"accuracy\":{r / 2},\"code_frequency\":0.25,\"clip_fraction_low\":0.01,\"clip_fraction_high\":0.02," +
            "\"clip_by_old_prob\":{\"p0-0.1\":{\"tokens\":10,\"low\":0.1,\"high\":0.2},\"p0.9-1\":{\"tokens\":0,\"low\":0,\"high\":0}}," +
            $"\"eval_accuracy\":{(i == 1 ? "0.5" : "null")}}}");
        File.WriteAllLines(Path.Combine(dir, "metrics.jsonl"), lines);
        File.WriteAllText(Path.Combine(dir, "eval.jsonl"),
            $"{{\"step\":2,\"sets\":[{{\"set\":\"AMC@8\",\"k\":8,\"temperature\":0.6,\"avg_at_k\":{0.1 * seed},\"pass_at_k\":0.5,\"code_frequency\":0,\"problems\":40}}],\"mean_avg_at_k\":{0.1 * seed}}}\n");
        return dir;
    }

    [Fact]
    public void A_run_folder_reads_into_named_curves()
    {
        var run = RunCurves.Read(Run("a", "math", 1, [0.2, 0.4, 0.6]));
        Assert.Equal("1", run.Seed);
        Assert.Equal([new CurvePoint(1, 0.2), new CurvePoint(2, 0.4), new CurvePoint(3, 0.6)], run.Series[RunCurves.Reward]);
        Assert.Equal([0.1, 0.2, 0.3], run.Series[RunCurves.Accuracy].Select(p => p.Value));
        // low + high within the bucket; the empty bucket has no curve; held-out only where measured.
        Assert.Equal(0.3, run.Series["clip/p0-0.1"][0].Value, 12);
        Assert.False(run.Series.ContainsKey("clip/p0.9-1"));
        Assert.Equal([new CurvePoint(2, 0.5)], run.Series[RunCurves.HeldOut]);
        Assert.Equal([new CurvePoint(2, 0.1)], run.Series["eval/AMC@8"]);
    }

    [Fact]
    public void Seeds_of_one_setting_form_a_condition_with_a_band()
    {
        var runs = new[]
        {
            Run("math-1", "math", 1, [0.2, 0.4, 0.6]), Run("math-2", "math", 2, [0.4, 0.8, 0.6]),
            Run("random-1", "random0.5", 1, [0.5, 0.5, 0.5]),
        }.Select(RunCurves.Read).ToList();
        var conditions = RunConditions.Group(runs);
        Assert.Equal(["reward.name=math", "reward.name=random0.5"], conditions.Select(c => c.Label));
        Assert.Equal([2, 1], conditions.Select(c => c.Runs.Count));

        var band = RunConditions.Band(conditions[0], RunCurves.Reward)!;
        Assert.Equal("reward.name=math (2 seeds)", band.Name);
        Assert.Equal([1.0, 2.0, 3.0], band.X);
        Assert.Equal([0.3, 0.6, 0.6], band.Y.Select(y => Math.Round(y, 12)));
        Assert.Equal([0.2, 0.4, 0.6], band.Low);
        Assert.Equal([0.4, 0.8, 0.6], band.High);
        // A trailing moving average of 2 within each seed first: seed 1 → 0.2, 0.3, 0.5; seed 2 → 0.4, 0.6, 0.7.
        var smoothed = RunConditions.Band(conditions[0], RunCurves.Reward, smooth: 2)!;
        Assert.Equal([0.3, 0.45, 0.6], smoothed.Y.Select(y => Math.Round(y, 12)));
        Assert.Equal([0.2, 0.3, 0.5], smoothed.Low.Select(y => Math.Round(y, 12)));
        // A curve no run has gives no band.
        Assert.Null(RunConditions.Band(conditions[0], "eval/MATH-500@1"));
    }

    [Fact]
    public void One_condition_is_labelled_by_its_run_name()
    {
        var conditions = RunConditions.Group([RunCurves.Read(Run("x", "math", 1, [0.1])), RunCurves.Read(Run("y", "math", 2, [0.3]))]);
        Assert.Equal("tiny-cpu", Assert.Single(conditions).Label);
    }

    [Fact]
    public void The_figures_are_written_as_png_and_svg_with_an_overview_grid()
    {
        var runs = new[] { Run("m1", "math", 1, [0.2, 0.4, 0.6]), Run("m2", "math", 2, [0.4, 0.8, 0.6]) }.Select(RunCurves.Read).ToList();
        var outDir = Path.Combine(_root, "figures");
        var written = TrainingCurveFigures.Write(RunConditions.Group(runs), outDir);

        // reward, accuracy, code frequency, clip fraction, clip by probability, held-out and AMC@8 evaluation.
        string[] panels = ["reward", "accuracy", "code-frequency", "clip-fraction", "clip-by-probability", "eval-held-out", "eval-AMC_8"];
        Assert.Equal([Path.Combine(outDir, "curves.png"), .. panels.SelectMany(p => new[] { Path.Combine(outDir, p + ".png"), Path.Combine(outDir, p + ".svg") })], written);
        foreach (var png in written.Where(f => f.EndsWith(".png")))
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png)[..4]);
        foreach (var svg in written.Where(f => f.EndsWith(".svg")))
            Assert.Contains("<svg", File.ReadAllText(svg));
        // Seven panels in three columns: a 3 x 3 grid of 600 x 400 panels (the PNG header's width and height).
        var header = File.ReadAllBytes(written[0])[16..24];
        Assert.Equal((1800, 1200), (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4))));
        Assert.Contains("Training reward", File.ReadAllText(Path.Combine(outDir, "reward.svg")));
    }

    [Fact]
    public void A_malformed_metrics_line_is_named_but_a_cut_last_line_is_forgiven()
    {
        var dir = Run("bad", "math", 1, [0.2, 0.4]);
        File.AppendAllText(Path.Combine(dir, "metrics.jsonl"), "{\"step\":3,\"rew");
        Assert.Equal(2, RunCurves.Read(dir).Series[RunCurves.Reward].Count);
        File.AppendAllText(Path.Combine(dir, "metrics.jsonl"), "\n{\"step\":4}\n");
        var error = Assert.Throws<InvalidDataException>(() => RunCurves.Read(dir));
        Assert.Contains("metrics.jsonl line 3", error.Message);
    }
}
