using Rlvr.Torch.Models;
using static TorchSharp.torch;

namespace Rlvr.Torch.Tests;

/// <summary>
/// RMSNorm's two routes: Hugging Face's formula (CPU) and the single layer_norm over [x, −x] used on CUDA,
/// which no CPU test would reach through a model, so it is checked here directly.
/// </summary>
public class RmsNormTests
{
    private const double Eps = 1e-6;

    private static RmsNorm UnitNorm(int width, ScalarType dtype = ScalarType.Float32)
    {
        var norm = new RmsNorm(width, Eps, new Placement(CPU, dtype));
        using var noGrad = no_grad();
        norm.weight.fill_(1.0);
        return norm;
    }

    [Fact]
    public void Both_routes_give_the_hand_computed_values()
    {
        // [3, 4]: mean square 12.5, so x / sqrt(12.5) = [0.848528, 1.131371].
        using var x = tensor(new float[] { 3, 4 }).view(1, 2);
        using var norm = UnitNorm(2);
        using var formula = norm.forward(x);
        using var layerNorm = RmsNorm.NormaliseAsLayerNorm(x, Eps);
        float[] expected = [(float)(3 / Math.Sqrt(12.5 + Eps)), (float)(4 / Math.Sqrt(12.5 + Eps))];
        Assert.Equal(expected, formula.data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal(expected, layerNorm.contiguous().data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public void The_layer_norm_route_equals_the_formula_in_float32()
    {
        using var generator = new Generator(3);
        using var x = randn([5, 7, 64], generator: generator) * 0.1;
        using var norm = UnitNorm(64);
        using var formula = norm.forward(x);
        using var layerNorm = RmsNorm.NormaliseAsLayerNorm(x, Eps);
        Assert.True(layerNorm.allclose(formula, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void In_bfloat16_the_routes_differ_by_at_most_one_rounding()
    {
        // Both compute in float32 and round once to bf16, so they may differ by one bf16 step (2^-7 relative).
        using var generator = new Generator(4);
        using var x = (randn([6, 3, 128], generator: generator) * 2).to_type(ScalarType.BFloat16);
        using var norm = UnitNorm(128, ScalarType.BFloat16);
        using var formula = norm.forward(x).to_type(ScalarType.Float32);
        using var layerNorm = RmsNorm.NormaliseAsLayerNorm(x, Eps).to_type(ScalarType.Float32);
        Assert.Equal(ScalarType.BFloat16, RmsNorm.NormaliseAsLayerNorm(x, Eps).dtype);
        using var allowed = formula.abs() * Math.Pow(2, -7) + 1e-30;
        Assert.True((layerNorm - formula).abs().le(allowed).all().item<bool>());
        Assert.True(layerNorm.eq(formula).to_type(ScalarType.Float32).mean().item<float>() > 0.95f);
    }
}
