using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace Rlvr.Torch.Models;

/// <summary>
/// Gradient checkpointing of one decoder layer (TorchSharp has no torch.utils.checkpoint): the forward runs
/// without building a graph and keeps only the layer input; the backward recomputes the layer with
/// gradients and back-propagates through it (the "reentrant" scheme of PyTorch's checkpoint). Activation
/// memory then holds one hidden state per layer instead of every intermediate.
/// </summary>
internal sealed class CheckpointedLayer : SingleTensorFunction<CheckpointedLayer>
{
    public override string Name => nameof(CheckpointedLayer);

    /// <summary>Runs <paramref name="layer"/> on <paramref name="hidden"/> [B, T, hidden] under checkpointing.</summary>
    public static Tensor Run(DecoderLayer layer, Tensor hidden, AttentionContext context) =>
        apply(hidden, context.Cos, context.Sin, context.FoldedMask, layer, context.CausalSquare);

    // vars: hidden, cos, sin, folded mask (or null), layer, causal-square flag. Autograd is off here.
    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        var (hidden, layer, context) = Unpack(vars);
        // Saved variables hold C++ references, so they outlive the caller's dispose scope.
        ctx.save_for_backward([hidden, context.Cos, context.Sin, context.FoldedMask!]);
        ctx.save_data("layer", layer);
        ctx.save_data("causal", context.CausalSquare);
        return layer.Forward(hidden, context);
    }

    public override List<Tensor> backward(AutogradContext ctx, Tensor gradOutput)
    {
        // May run on the autograd engine's device thread, where no dispose scope of ours is open.
        var saved = ctx.get_saved_variables();
        var layer = (DecoderLayer)ctx.get_data("layer");
        var context = new AttentionContext
        {
            Cos = saved[1],
            Sin = saved[2],
            FoldedMask = saved[3],
            CausalSquare = (bool)ctx.get_data("causal"),
        };
        Tensor inputGrad;
        using (var scope = NewDisposeScope())
        using (enable_grad())
        {
            var input = saved[0].detach().requires_grad_(true);
            var output = layer.Forward(input, context);
            output.backward([gradOutput]);
            inputGrad = input.grad!.detach().MoveToOuterDisposeScope();
        }
        foreach (var t in saved) t?.Dispose();
        return [inputGrad, null!, null!, null!, null!, null!];
    }

    private static (Tensor Hidden, DecoderLayer Layer, AttentionContext Context) Unpack(object[] vars) =>
        ((Tensor)vars[0], (DecoderLayer)vars[4], new AttentionContext
        {
            Cos = (Tensor)vars[1],
            Sin = (Tensor)vars[2],
            FoldedMask = vars[3] as Tensor,
            CausalSquare = (bool)vars[5],
        });
}
