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
}
