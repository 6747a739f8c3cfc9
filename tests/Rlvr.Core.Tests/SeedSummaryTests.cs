using Rlvr.Core.Reporting;

namespace Rlvr.Core.Tests;

public class SeedSummaryTests
{
    [Theory]
    // two-sided 95% Student t quantiles from standard tables (e.g. NIST/SEMATECH e-Handbook, Table 1.3.6.7.2)
    [InlineData(1, 12.706)]
    [InlineData(4, 2.776)]
    [InlineData(12, 2.179)]
    [InlineData(20, 2.086)]
    [InlineData(30, 2.042)]
    [InlineData(100, 1.984)]
    public void Student_t_quantiles_match_the_tables(int df, double expected) =>
        Assert.Equal(expected, SeedSummary.StudentT975(df), 0.002);

    [Fact]
    public void Five_seeds_give_the_mean_its_t_interval_and_the_count_above_zero()
    {
        // values 1, 2, 3, 4, -5: mean 1, squares 0+1+4+9+36 = 50, var 12.5, SE sqrt(12.5/5) = 1.581139, half 2.776 * SE = 4.389242
        var s = SeedSummary.Of([1, 2, 3, 4, -5]);
        Assert.Equal(1, s.Mean, 12);
        Assert.Equal(1.581139, s.StandardError, 6);
        Assert.Equal(1 - 4.389242, s.Low95, 5);
        Assert.Equal(1 + 4.389242, s.High95, 5);
        Assert.Equal((-5, 4, 4), (s.Min, s.Max, s.Positive));
        Assert.Throws<ArgumentException>(() => SeedSummary.Of([1]));
    }
}
