namespace Rlvr.Core.Evaluation;

/// <summary>
/// The unbiased pass@k estimator of Chen et al. (2021, "Evaluating Large Language Models Trained on
/// Code"): with n samples of which c are correct, pass@k = 1 − C(n−c, k) / C(n, k), the chance that at
/// least one of k samples drawn without replacement is correct. The ratio of binomials is computed
/// as the product Π_{i=n−c+1..n} (1 − k/i), which never overflows (C(2000, 1000) would).
/// With k = n it is 1 when any sample is correct (upstream's "mean of the max"); with k = 1 it is c/n.
/// </summary>
public static class PassAtK
{
    public static double Estimate(int n, int c, int k)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), $"n = {n}: need at least one sample");
        if (c < 0 || c > n) throw new ArgumentOutOfRangeException(nameof(c), $"c = {c}: correct samples must be within 0..n = {n}");
        if (k < 1 || k > n) throw new ArgumentOutOfRangeException(nameof(k), $"k = {k}: must be within 1..n = {n}");
        if (n - c < k) return 1.0;  // every draw of k samples contains a correct one
        var allWrong = 1.0;
        for (var i = n - c + 1; i <= n; i++) allWrong *= 1.0 - (double)k / i;
        return 1.0 - allWrong;
    }

    /// <summary>The k values reported for n samples: 1, 2, 4, ... up to n, and n itself.</summary>
    public static IReadOnlyList<int> ReportedKs(int n)
    {
        var ks = new List<int>();
        for (var k = 1; k < n; k *= 2) ks.Add(k);
        ks.Add(n);
        return ks;
    }
}
