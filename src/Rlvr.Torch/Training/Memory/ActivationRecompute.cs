using TorchSharp;
using static TorchSharp.torch;

namespace Rlvr.Torch.Training.Memory;

/// <summary>
/// Gradient checkpointing for one block (PyTorch's reentrant torch.utils.checkpoint): the forward
/// runs without autograd and keeps only the block's input; the backward runs the block again with
/// autograd and back-propagates through that recomputation, which also accumulates the block's
/// parameter gradients. Memory per block falls from all its activations to one [B, T, H] input, for
/// one extra forward. The block must be deterministic (no dropout) and see only <paramref name="input"/>
/// as a differentiable tensor input (other tensors it closes over, e.g. rotary tables and masks,
/// get no gradient).
/// </summary>
public static class ActivationRecompute
{
    /// <summary>Applies <paramref name="block"/> to <paramref name="input"/> without storing its activations.</summary>
    public static Tensor Apply(Func<Tensor, Tensor> block, Tensor input) =>
        torch.is_grad_enabled() ? Recompute.apply(block, input) : block(input);


    private sealed class Recompute : autograd.SingleTensorFunction<Recompute>
    {
        public override string Name => nameof(ActivationRecompute);

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var block = (Func<Tensor, Tensor>)vars[0];
            var input = (Tensor)vars[1];
            ctx.save_for_backward([input]);
            ctx.save_data("block", block);
            using var noGrad = torch.no_grad();
            return block(input);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            var input = ctx.get_saved_variables()[0];
            var block = (Func<Tensor, Tensor>)ctx.get_data("block");
            using var grad = torch.enable_grad();
            using var replayInput = input.detach().requires_grad_(input.requires_grad);
            using var output = block(replayInput);
            // Back-propagates into the block's parameters (accumulating their .grad) and its input.
            autograd.backward(output, gradOutput);
            // One entry per argument of apply: none for the delegate, the input's gradient.
            return [null!, replayInput.requires_grad ? replayInput.grad!.detach() : torch.zeros_like(input)];
        }
    }
}
