using System.Diagnostics;
using System.Text;
using Rlvr.Grading;
using Rlvr.Grading.Paper;
using Xunit.Abstractions;

namespace Rlvr.Grading.Tests;

/// <summary>Seeded random and adversarial strings through the paper grader: nothing escapes, nothing hangs.</summary>
[Collection(TimingCollection.Name)]
public sealed class PaperGraderFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Pieces =
    [
        @"\boxed{", "boxed", "}", "{", @"\frac", @"\dfrac", @"\sqrt", "^", "_", "(", ")", "[", "]", ",", ".", "/", "=",
        "-", "+", " ", "\n", "$", @"\text{", @"\mbox{", @"\left(", @"\right)", @"\pm", @"\pi", @"\infty", "inf", "and",
        "he answer is", "final answer is $", "$. I hope", "答案是", "<answer>", "</answer>", "0", "1", "12", "3.5", "0.000",
        "x", "a", "h", "pm", "east", "five", "hundred", "point", "%", @"\%", @"^\circ", "\u043a\u0438", @"\begin{array}{cc}",
        @"\end{array}", "bmatrix", "&", @"\\", "e", "i", "j", "E", "10^{10^{10}}", "!", "1e308", "nan", "-inf",
    ];

    private static IEnumerable<string> Inputs(int count, int seed)
    {
        var random = new Random(seed);
        // Adversarial shapes first, then random concatenations of the pieces and random characters.
        yield return new string('{', 10_000);
        yield return @"\boxed{" + new string('{', 10_000);
        yield return @"\boxed{10^{10^{10^{10}}}}";
        yield return @"\boxed{(10^9)!}";
        yield return "The answer is " + string.Concat(Enumerable.Repeat(@"\text{", 5_000));
        yield return new string('9', 1_000_000);
        yield return string.Concat(Enumerable.Repeat("1,", 50_000));
        for (var n = 7; n < count; n++)
        {
            var text = new StringBuilder();
            var length = random.Next(1, 40);
            for (var k = 0; k < length; k++)
            {
                if (random.Next(5) == 0) text.Append((char)random.Next(0x20, 0x3000));
                else text.Append(Pieces[random.Next(Pieces.Length)]);
            }
            yield return text.ToString();
        }
    }

    [Fact]
    public void Ten_thousand_strings_never_throw_and_stay_within_the_bound()
    {
        var options = GradeOptions.Default; // 250 ms
        var grader = new PaperGrader(options);
        var golds = new[] { "1", @"\frac{1}{2}", @"(1,2)", "x", "025", "" };
        var slowest = TimeSpan.Zero;
        var slowestInput = "";
        var timeouts = 0;
        var k = 0;
        foreach (var input in Inputs(10_000, seed: 20250613))
        {
            var clock = Stopwatch.StartNew();
            var result = grader.Grade(input, golds[k++ % golds.Length]); // must not throw
            grader.Extract(input);
            grader.AnswersEquivalent(input.Length > 200 ? input[..200] : input, golds[k % golds.Length]);
            clock.Stop();
            if (result.TimedOut) timeouts++;
            if (clock.Elapsed > slowest) (slowest, slowestInput) = (clock.Elapsed, input.Length > 60 ? input[..60] + "..." : input);
        }
        output.WriteLine($"slowest {slowest.TotalMilliseconds:F0} ms on [{slowestInput}]; {timeouts} timeouts");
        // Three calls per input, each bounded by 250 ms; generous slack for a loaded CI machine.
        Assert.True(slowest < TimeSpan.FromSeconds(3), $"slowest {slowest.TotalMilliseconds:F0} ms on [{slowestInput}]");
    }
}
