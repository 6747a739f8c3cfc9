using Rlvr.Torch.Training.Memory;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlvr.Torch.Tests.Training;

public class ActivationRecomputeTests
{
    [Fact]
    public void Recomputed_blocks_give_the_same_gradients_as_plain_ones()
    {
        // Two stacked blocks y = silu(x W1) W2 + x: gradients of the weights and of the input must
        // equal those of the ordinary graph.
        var generator = new Generator(7);
        var w = Enumerable.Range(0, 4).Select(_ => torch.randn([8, 8], generator: generator).requires_grad_(true)).ToArray();
        Tensor Block(Tensor x, int i) => nn.functional.silu(x.matmul(w[2 * i])).matmul(w[2 * i + 1]) + x;
        var x0 = torch.randn([3, 5, 8], generator: generator);

        var xa = x0.clone().requires_grad_(true);
        Block(Block(xa, 0), 1).square().sum().backward();
        var expected = w.Select(p => p.grad!.clone()).ToArray();
        var expectedInput = xa.grad!.clone();
        foreach (var p in w) p.grad = null;

        var xb = x0.clone().requires_grad_(true);
        var h = ActivationRecompute.Apply(x => Block(x, 0), xb);
        ActivationRecompute.Apply(x => Block(x, 1), h).square().sum().backward();
        for (int i = 0; i < w.Length; i++)
            Assert.True(w[i].grad!.allclose(expected[i], rtol: 1e-5, atol: 1e-6), $"weight {i}");
        Assert.True(xb.grad!.allclose(expectedInput, rtol: 1e-5, atol: 1e-6), "input");
    }
}
