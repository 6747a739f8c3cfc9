namespace Rlvr.Core.Reporting;

/// <summary>
/// Mean and spread of one quantity over seeds: the standard error, a two-sided 95% Student-t interval
/// for the mean, the range, and how many seeds were above zero.
/// </summary>
public sealed record SeedSummary(int Count, double Mean, double StandardError, double Low95, double High95, double Min, double Max, int Positive)
{
    /// <summary>Summarises <paramref name="values"/> (at least two).</summary>
    public static SeedSummary Of(IReadOnlyList<double> values)
    {
        if (values.Count < 2) throw new ArgumentException("a spread needs at least two seeds", nameof(values));
        double mean = values.Average();
        double se = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1) / values.Count);
        double half = StudentT975(values.Count - 1) * se;
        return new SeedSummary(values.Count, mean, se, mean - half, mean + half, values.Min(), values.Max(), values.Count(v => v > 0));
    }

    // Two-sided 95% quantiles t(0.975, df) for df = 1..10 (standard tables); beyond, the Cornish-Fisher
    // expansion around the normal quantile 1.959964 (error below 1e-3 from df = 11).
    private static readonly double[] SmallDf = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];

    /// <summary>The 0.975 quantile of Student's t with <paramref name="df"/> degrees of freedom.</summary>
    public static double StudentT975(int df)
    {
        if (df < 1) throw new ArgumentOutOfRangeException(nameof(df));
        if (df <= SmallDf.Length) return SmallDf[df - 1];
        const double z = 1.959964;
        double z3 = z * z * z, z5 = z3 * z * z;
        return z + (z3 + z) / (4.0 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96.0 * df * df);
    }
}
