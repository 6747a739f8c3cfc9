namespace Rlvr.Torch.Tests;

/// <summary>
/// Worst-case float32 rounding bounds (Higham, "Accuracy and Stability of Numerical Algorithms", §2-3), so
/// that a tolerance follows from the arithmetic and the magnitudes involved rather than from what one CPU
/// happened to produce: a different CPU (or thread count, or batch shape) may sum in another order or use
/// other SIMD widths, and every such order is within these bounds.
/// </summary>
internal static class RoundingBound
{
    /// <summary>Unit roundoff of float32: half the distance from 1 to the next float.</summary>
    public const double U = 1.0 / (1 << 24);

    /// <summary>γ_n = n·u / (1 − n·u): a sum or dot product of n terms, in any order, is within γ_n · Σ|terms| of the exact value.</summary>
    public static double Gamma(long n) => n * U / (1 - n * U);

    /// <summary>
    /// How far two float32 forward passes of one decoder (two implementations, or one on other shapes: padding,
    /// batch size, chunking) may put a logit apart, to first order. Each is a chain of D = 8·layers + 2 reductions
    /// (per layer: input norm, q/k/v, scores, weights·values, output projection, post-attention norm, gate/up, down;
    /// then the final norm and the head), each of at most n = max(hidden, intermediate, positions) terms, each
    /// rounding its output by at most γ_n relative to the sum of its terms' magnitudes. RMSNorm rescales every
    /// layer's input to unit root-mean-square, so an error entering a layer is carried at the same scale; at the
    /// logits it weighs at most <paramref name="headMagnitude"/> = max_v Σ_i |h_i W_vi|. Each pass is then within
    /// D·γ_n·headMagnitude of the exact logits, the two within twice that. An assumption, stated: the layers do
    /// not amplify errors (true of these small, RMS-normalised models; a bound, not a measurement of one CPU).
    /// </summary>
    public static double ForwardPass(Rlvr.Torch.Models.ModelConfig config, long positions, double headMagnitude)
    {
        long chain = 8L * config.NumHiddenLayers + 2;
        long n = Math.Max(positions, Math.Max(config.HiddenSize, config.IntermediateSize));
        return 2 * chain * Gamma(n) * headMagnitude;
    }
}
