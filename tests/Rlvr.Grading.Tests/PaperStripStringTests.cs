using Rlvr.Grading.Paper;

namespace Rlvr.Grading.Tests;

/// <summary>
/// Qwen2.5-Math strip_string, one quirk per case. Expected values are the observed upstream outputs in
/// research/graders.md §1.4 or are worked out by hand from the rule list in research/upstream.md §1.3.
/// </summary>
public sealed class PaperStripStringTests
{
    [Theory]
    // graders.md §1.4: unit words are deleted inside LaTeX.
    [InlineData(@"1 \pm \sqrt{19}", @"1\\sqrt{19}")]       // "pm" is a unit: the backslash stays behind
    [InlineData(@"\frac{\pi r}{h+r}", @"\frac{\pir}{+r}")]  // "h" is a unit
    [InlineData(@"2 \sin b \cos a", @"2\sinb\cos")]        // "a" is a unit
    [InlineData(@"6 \text{ and } 8", "68")]                 // every "and" is deleted
    [InlineData("28 pct", "28pct")]
    [InlineData("28 percentage", "28percentage")]
    // upstream.md §1.3, step by step.
    [InlineData("5 apples", "5")]                           // "apples" = unit "apple" + "s"
    [InlineData("five apples", "5")]                        // unit removed, then word2number
    [InlineData("070", "70")]                               // word2number: isdigit() -> int
    [InlineData("band", "b")]                               // "and" removed as a substring
    [InlineData("142.0", "142")]
    [InlineData("2.00x", "2x")]
    [InlineData(@"\dfrac{1}{2}", @"\frac{1}{2}")]
    [InlineData(@"\frac12", @"\frac{1}{2}")]
    [InlineData(@"\frac1{72}", @"\frac{1}{72}")]
    [InlineData(@"\sqrt3", @"\sqrt{3}")]
    [InlineData("1/2", @"\frac{1}{2}")]
    [InlineData("x = 5", "5")]                              // lhs of length <= 2 dropped
    [InlineData(@"90^\circ", "90")]
    [InlineData(@"5\text{ cm}", "5")]                       // trailing \text{} dropped
    [InlineData(@"10\%", "10")]
    [InlineData(@"\$ 5.", "5")]
    [InlineData(".5", "0.5")]
    [InlineData("infinity", @"\infty")]
    [InlineData("3j", "3i")]                                // j -> i when there is no i
    [InlineData(@"\left( 1, 2 \right)", "(1,2)")]
    [InlineData(@"\begin{bmatrix} 1 \\ 2 \end{bmatrix}", @"\begin{pmatrix}1\\2\end{pmatrix}")]
    [InlineData(@"\emptyset", "{}")]
    [InlineData(@"(-\infty,\infty)", @"\mathbb{R}")]
    [InlineData(@"x\in [0, 1]", "[0,1]")]                  // "x\in" removed ...
    [InlineData(@"x \in [0, 1]", @"x\in[0,1]")]           // ... but only when written without a space (spaces go last)
    public void Strips_as_upstream(string input, string expected)
    {
        Assert.Equal(expected, QwenStripString.Strip(input));
    }

    [Fact]
    public void Unit_list_has_the_132_MathQA_entries_and_their_plurals()
    {
        Assert.Equal(264, QwenStripString.UnitTexts.Count);
        Assert.Equal("east", QwenStripString.UnitTexts[0]);
        Assert.Equal("inchs", QwenStripString.UnitTexts[^1]);
    }

    [Fact]
    public void Skip_unit_keeps_unit_words()
    {
        Assert.Equal("28pct", QwenStripString.Strip("28 pct", skipUnit: true));
        Assert.Equal("h+r", QwenStripString.Strip("h+r", skipUnit: true));
        Assert.Equal("+r", QwenStripString.Strip("h+r"));
    }
}
