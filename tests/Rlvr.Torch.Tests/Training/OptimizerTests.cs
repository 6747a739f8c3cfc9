using Rlvr.Torch.Training.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlvr.Torch.Tests.Training;

public class OptimizerTests
{
    private const double Lr = 5e-7;

    private static Parameter Param(ScalarType dtype, params float[] values) =>
        new(torch.tensor(values).to(dtype), requires_grad: true);

    private static double Ulp(float x) => MathF.BitIncrement(MathF.Abs(x)) - MathF.Abs(x);

    [Fact]
    public void First_step_at_the_papers_lr_moves_fp32_weights_as_adam_predicts()
    {
        // Adam's first step: m = (1-b1) g, v = (1-b2) g^2, bias corrections cancel them, so
        // w1 = w0 - lr * g / (|g| + eps) ~ w0 - lr * sign(g). The global norm of g = [.3,-2,1e-8,0]
        // is 2.0224, above the clip of 1, so g is first scaled by 1/(2.0224 + 1e-6) (sign unchanged);
        // the tiny 1e-8 entry shows eps at work (moves by ~lr/3), the zero entry does not move.
        var w = Param(ScalarType.Float32, 0.1f, -0.2f, 0.3f, 0.4f);
        var before = w.data<float>().ToArray();
        double[] g = [0.3, -2.0, 1e-8, 0.0];
        w.grad = torch.tensor(g.Select(x => (float)x).ToArray());
        using var adam = new MasterWeightAdam([("w", w)], Lr);
        var result = adam.Apply();
        Assert.True(result.Applied);
        double norm = Math.Sqrt(g.Sum(x => x * x));
        Assert.Equal(norm, result.GradNorm, 5);
        double scale = 1.0 / (norm + 1e-6);
        var after = w.data<float>().ToArray();
        for (int i = 0; i < 4; i++)
        {
            double gi = (float)g[i] * scale;
            double expected = before[i] - Lr * gi / (Math.Abs(gi) + 1e-8);
            // within one fp32 ulp of the weight (the update itself is ~ 5e-7, i.e. 17-67 ulps here)
            Assert.True(Math.Abs(after[i] - expected) <= Ulp(after[i]), $"w[{i}]: expected {expected:R}, got {after[i]:R}");
        }
        Assert.True(Math.Abs(after[0] - (0.1 - Lr)) <= Ulp(after[0]));       // ~ lr * sign(g)
        Assert.True(Math.Abs(after[1] - (-0.2 + Lr)) <= Ulp(after[1]));
        Assert.Equal(before[3], after[3]);
        Assert.Null(w.grad);
    }

    [Fact]
    public void Second_step_follows_the_moment_recurrences()
    {
        // g1 = 1, g2 = -1 (below the clip): m2 = .9*.1 - .1 = -.01, v2 = .95*.05 + .05 = .0975,
        // bias1 = .19, bias2 = .0975 => step2 = lr * (-.01/.19) / (sqrt(.0975/.0975) + eps) = -lr * .0526316
        var w = Param(ScalarType.Float32, 0.5f);
        using var adam = new MasterWeightAdam([("w", w)], 1e-3);
        w.grad = torch.tensor(new float[] { 1f }); adam.Apply();
        var mid = w.data<float>()[0];
        w.grad = torch.tensor(new float[] { -1f }); adam.Apply();
        Assert.Equal(0.5 - 1e-3, mid, 6);
        Assert.Equal(mid + 1e-3 * 0.0526316, w.data<float>()[0], 6);
    }

    [Fact]
    public void Bf16_parameters_keep_fp32_masters_that_do_move()
    {
        // A bf16 weight near 1 can only move in steps of 2^-7 = .0078; lr 5e-7 is lost in rounding,
        // but the fp32 master moves by lr, and enough such steps show up in the bf16 copy.
        var w = Param(ScalarType.BFloat16, 1f);
        using var adam = new MasterWeightAdam([("w", w)], Lr);
        Assert.True(adam.KeepsSeparateMasters);
        w.grad = torch.tensor(new float[] { 1f }).to(ScalarType.BFloat16);
        adam.Apply();
        Assert.Equal(1f - 5e-7f, adam.Master("w").data<float>()[0], 7);
        Assert.Equal(1f, w.to(ScalarType.Float32).data<float>()[0]);
        adam.LearningRate = 1e-2;  // a large step is visible in bf16
        w.grad = torch.tensor(new float[] { 1f }).to(ScalarType.BFloat16);
        adam.Apply();
        Assert.True(w.to(ScalarType.Float32).data<float>()[0] < 0.995f);
    }

    [Theory]
    [InlineData(true, 1 + 1.0 / 512)]  // fp32 sums, as upstream's DeepSpeed: nothing lost
    [InlineData(false, 1.0)]           // autograd's own bf16 sum: 1 + 2^-9 rounds to 1 (bf16 spacing at 1 is 2^-7)
    public void Micro_batch_gradients_of_a_bf16_model_are_summed_in_fp32_unless_turned_off(bool fp32Sums, double expectedNorm)
    {
        // Two micro-batches with gradients 1 and 2^-9 (both exact in bf16), accumulated as the trainer does.
        // The norm of their sum shows its precision (Adam's own update is nearly sign-like and would hide it).
        var w = Param(ScalarType.BFloat16, 1f);
        using var adam = new MasterWeightAdam([("w", w)], 1e-3, fp32GradientSums: fp32Sums);
        (w * 1f).sum().backward();
        adam.AccumulateGradients();
        (w * (1f / 512)).sum().backward();
        var result = adam.Apply();
        Assert.Equal(expectedNorm, result.GradNorm, 12);
        Assert.Null(w.grad);
    }

    [Fact]
    public void Accumulating_an_fp32_models_gradients_leaves_them_to_autograd()
    {
        // fp32 gradients are their own fp32 sums: 0.25 + 0.5 through autograd alone.
        var w = Param(ScalarType.Float32, 1f);
        using var adam = new MasterWeightAdam([("w", w)], 1e-3);
        (w * 0.25f).sum().backward();
        adam.AccumulateGradients();
        Assert.Equal(0.25f, w.grad!.data<float>()[0]);
        (w * 0.5f).sum().backward();
        Assert.Equal(0.75, adam.Apply().GradNorm, 12);
    }

    [Fact]
    public void NaN_gradient_skips_the_update()
    {
        var w = Param(ScalarType.Float32, 0.1f, 0.2f);
        using var adam = new MasterWeightAdam([("w", w)], 1e-3);
        w.grad = torch.tensor(new float[] { float.NaN, 1f });
        var r = adam.Apply();
        Assert.False(r.Applied);
        Assert.Equal(0, adam.Step);
        Assert.Equal([0.1f, 0.2f], w.data<float>().ToArray());
    }

    [Fact]
    public void State_round_trips_through_a_file()
    {
        var path = Path.GetTempFileName();
        try
        {
            var w = Param(ScalarType.Float32, 0.1f, 0.2f);
            using var adam = new MasterWeightAdam([("w", w)], 1e-3);
            w.grad = torch.tensor(new float[] { 1f, -1f }); adam.Apply();
            adam.Save(path);
            var w2 = Param(ScalarType.Float32, 0f, 0f);
            using var adam2 = new MasterWeightAdam([("w", w2)], 1e-3);
            adam2.Load(path);
            Assert.Equal(w.data<float>().ToArray(), w2.data<float>().ToArray());
            w.grad = torch.tensor(new float[] { 0.5f, 0.5f }); adam.Apply();
            w2.grad = torch.tensor(new float[] { 0.5f, 0.5f }); adam2.Apply();
            Assert.Equal(w.data<float>().ToArray(), w2.data<float>().ToArray());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_truncated_state_file_fails_naming_the_file_and_the_parameter()
    {
        var path = Path.GetTempFileName();
        try
        {
            var w = Param(ScalarType.Float32, 0.1f, 0.2f);
            using var adam = new MasterWeightAdam([("w", w)], 1e-3);
            adam.Save(path);
            using (var file = File.OpenWrite(path)) file.SetLength(file.Length - 3); // cuts the last moment short
            var error = Assert.Throws<InvalidDataException>(() => adam.Load(path));
            Assert.Equal($"{path}: truncated at 'w'", error.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Schedules()
    {
        var constant = new LearningRateSchedule(ScheduleKind.Constant, 5e-7);
        Assert.Equal(5e-7, constant.At(0)); Assert.Equal(5e-7, constant.At(1000));
        var warm = new LearningRateSchedule(ScheduleKind.Constant, 1.0, WarmupSteps: 4);
        Assert.Equal([0, 0.25, 0.5, 0.75, 1, 1], Enumerable.Range(0, 6).Select(s => warm.At(s)));
        // cosine: warmup 2, total 10 => at step 6 halfway: 0.1 + 0.9 * 0.5 = 0.55; at 10: floor 0.1
        var cos = new LearningRateSchedule(ScheduleKind.Cosine, 1.0, WarmupSteps: 2, TotalSteps: 10, MinRatio: 0.1);
        Assert.Equal(1.0, cos.At(2), 9); Assert.Equal(0.55, cos.At(6), 9); Assert.Equal(0.1, cos.At(10), 9);
    }
}

/// <summary>MasterWeightAdam against TorchSharp's own torch.optim.Adam on the same fp32 problem.</summary>
public class OptimizerAgainstTorchAdamTests
{
    [Fact]
    public void Follows_torch_optim_adam_step_for_step_including_parameters_without_a_gradient()
    {
        // Two parameters; b takes part in the loss only at steps 1, 2 and 5, so at steps 3 and 4 it has no
        // gradient at all (null, not zero). torch.optim.Adam then skips b: no moment decay, no move, and its
        // own step count (bias correction) stays. The clip is set out of reach (torch's Adam has none).
        // Both sides do the same correctly rounded element-wise float32 operations in the same order
        // (m = b1·m + (1−b1)·g, v = b2·v + (1−b2)·g², p −= lr/(1−b1^t) · m / (√v/√(1−b2^t) + eps)), so the
        // weights must agree exactly, on any CPU.
        const double lr = 1e-2, beta1 = 0.9, beta2 = 0.95, eps = 1e-8;
        float[] a0 = [0.5f, -1.5f], b0 = [0.25f, 2f, -0.75f];
        var (a, b) = (new Parameter(torch.tensor(a0)), new Parameter(torch.tensor(b0)));
        var (ta, tb) = (new Parameter(torch.tensor(a0)), new Parameter(torch.tensor(b0)));
        using var mine = new MasterWeightAdam([("a", a), ("b", b)], lr, beta1, beta2, eps, maxGradNorm: 1e30);
        var reference = torch.optim.Adam([ta, tb], lr, beta1, beta2, eps);
        var inputs = torch.tensor(new float[] { 0.3f, -0.7f, 1.1f });
        for (int step = 1; step <= 6; step++)
        {
            bool usesB = step is 1 or 2 or 5;
            foreach (var (pa, pb) in new[] { (a, b), (ta, tb) })
            {
                var loss = (pa * pa).sum() * step + (usesB ? (pb * inputs).sum().square() : torch.zeros(1).sum());
                loss.backward();
                Assert.Equal(usesB, pb.grad is not null);
            }
            Assert.True(mine.Apply().Applied);
            reference.step();
            foreach (var p in new[] { ta, tb }) p.grad = null;
            Assert.Equal(ta.data<float>().ToArray(), a.data<float>().ToArray());
            Assert.Equal(tb.data<float>().ToArray(), b.data<float>().ToArray());
        }
        // b moved only at its three steps: a parameter without a gradient stays where it is.
        Assert.NotEqual(b0, b.data<float>().ToArray());
    }

    [Fact]
    public void A_parameter_without_a_gradient_does_not_move_even_after_earlier_updates()
    {
        var (a, b) = (new Parameter(torch.tensor(new float[] { 1f })), new Parameter(torch.tensor(new float[] { 1f })));
        using var adam = new MasterWeightAdam([("a", a), ("b", b)], 1e-2);
        a.grad = torch.tensor(new float[] { 1f }); b.grad = torch.tensor(new float[] { 1f });
        adam.Apply();
        var bAfterFirst = b.data<float>()[0];
        a.grad = torch.tensor(new float[] { 1f });  // b has no gradient now; its first moment is not zero
        adam.Apply();
        Assert.Equal(bAfterFirst, b.data<float>()[0]);
        Assert.Equal(2, adam.Step);
    }
}
