using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace Rlvr.Torch.Models;

/// <summary>
/// log p(target) = logit[target] − logsumexp(logits), with logits = hidden · Wᵀ computed a chunk of
/// positions at a time, forward AND backward: the [B, T, vocab] logits (5 GB in float32 for 8 × 1024
/// tokens of a 152k vocabulary) never exist at once, and nothing of vocabulary size is kept between
/// forward and backward. The backward recomputes each chunk's logits and uses
/// d log p(target) / d logits = onehot(target) − softmax(logits).
/// </summary>
internal sealed class ChunkedTargetLogProbs : SingleTensorFunction<ChunkedTargetLogProbs>
{
    public override string Name => nameof(ChunkedTargetLogProbs);

    /// <summary>hidden [B, T, H], weight [V, H], targets int64 [B, T] → float32 [B, T]; <paramref name="chunk"/> positions per step.</summary>
    public static Tensor Run(Tensor hidden, Tensor weight, Tensor targets, long chunk) => apply(hidden, weight, targets, chunk);

    /// <summary>The same values without autograd.</summary>
    public static Tensor Compute(Tensor hidden, Tensor weight, Tensor targets, long chunk)
    {
        using var scope = NewDisposeScope();
        var length = hidden.shape[1];
        var pieces = new List<Tensor>();
        for (long start = 0; start < length; start += chunk)
        {
            using var chunkScope = NewDisposeScope(); // frees this chunk's logits before the next chunk's exist
            var size = Math.Min(chunk, length - start);
            var logits = nn.functional.linear(hidden.narrow(1, start, size), weight).to_type(ScalarType.Float32); // [B, c, V]
            var chosen = logits.gather(-1, targets.narrow(1, start, size).unsqueeze(-1)).squeeze(-1);            // [B, c]
            pieces.Add((chosen - logits.logsumexp(-1)).MoveToOuterDisposeScope());
        }
        return cat(pieces, 1).MoveToOuterDisposeScope();
    }

    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        var (hidden, weight, targets, chunk) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (long)vars[3]);
        ctx.save_for_backward([hidden, weight, targets]);
        ctx.save_data("chunk", chunk);
        return Compute(hidden, weight, targets, chunk);
    }

    public override List<Tensor> backward(AutogradContext ctx, Tensor gradOutput)
    {
        var saved = ctx.get_saved_variables();
        var (hidden, weight, targets) = (saved[0], saved[1], saved[2]);
        var chunk = (long)ctx.get_data("chunk");
        Tensor gradHidden, gradWeight;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var length = hidden.shape[1];
            var hiddenPieces = new List<Tensor>();
            var weightSum = zeros(weight.shape, ScalarType.Float32, weight.device); // [V, H], summed over chunks in float32
            for (long start = 0; start < length; start += chunk)
            {
                using var chunkScope = NewDisposeScope(); // as in Compute: one chunk's vocabulary-sized tensors at a time
                var size = Math.Min(chunk, length - start);
                var h = hidden.narrow(1, start, size);                                            // [B, c, H]
                var probs = nn.functional.linear(h, weight).to_type(ScalarType.Float32).softmax(-1); // [B, c, V]
                var g = gradOutput.narrow(1, start, size).to_type(ScalarType.Float32).unsqueeze(-1); // [B, c, 1]
                var gradLogits = (probs * g).neg_().scatter_add_(-1, targets.narrow(1, start, size).unsqueeze(-1), g)
                    .to_type(weight.dtype);                                                       // [B, c, V]
                hiddenPieces.Add(gradLogits.matmul(weight).MoveToOuterDisposeScope());            // [B, c, H]
                var flatGrad = gradLogits.flatten(0, 1);                                          // [B·c, V]
                var flatHidden = h.flatten(0, 1);                                                 // [B·c, H]
                weightSum.add_(flatGrad.t().matmul(flatHidden).to_type(ScalarType.Float32));
            }
            gradHidden = cat(hiddenPieces, 1).to_type(hidden.dtype).MoveToOuterDisposeScope();
            gradWeight = weightSum.to_type(weight.dtype).MoveToOuterDisposeScope();
        }
        foreach (var t in saved) t.Dispose();
        return [gradHidden, gradWeight, null!, null!];
    }
}
