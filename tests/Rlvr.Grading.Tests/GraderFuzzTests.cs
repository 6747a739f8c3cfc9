using System.Diagnostics;
using System.Text;
using Rlvr.Grading.Symbolic;
using Rlvr.Grading.Verify;
using Xunit.Abstractions;

namespace Rlvr.Grading.Tests;

/// <summary>
/// Seeded fuzzing of the verify grader and of <see cref="SymbolicEquality"/>: 10,000 random and adversarial
/// strings plus known pathological inputs. No exception may escape and no call may take longer than twice
/// the time limit (the slack absorbs scheduling noise on a shared machine).
/// </summary>
[Collection(TimingCollection.Name)]
public class GraderFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Pieces =
    [
        "\\frac{", "\\dfrac", "}", "{", "\\sqrt", "\\sqrt[3]{", "[", "]", "(", ")", "^", "_", "\\boxed{", "\\fbox{", "$", "$$",
        "\\[", "\\]", "\\(", "\\)", "1", "23", "0.5", ".7", "1,000", "1 000", "3e5", "x", "y", "e", "i", "E", "\\pi", "\\infty",
        "+", "-", "*", "**", "/", "=", "<", ">", "\\le", "\\geq", "\\ne", "\\pm", ",", ";", ":", "\\text{ cm}", "\\text{and}", "\\%",
        "%", "!", "\\begin{pmatrix}", "\\end{pmatrix}", "\\begin{array}{cc}", "&", "\\\\", "\\left(", "\\right)", "\\cup", "\\in",
        "answer is ", "The final answer is ", " ", "\n", "\\sum_{k=1}^{n}", "\\prod_{i=0}^{9}", "\\log_2", "\\ln", "\\sin", "sqrt(",
        "|", "\\{", "\\}", "10^{10^{10}}", "99!", "(10^9)!", "é", "答案", "\\", "and", "or", "percent", "\\approx", "x_{", "204_5",
        "\\mathrm{e}", "\\circ", "^\\circ", "\\cdot", "\\times", "\\div", "\\binom{", "\\lfloor", "\\rfloor", "\\overline{", "<think>",
        "</think>", "\\mbox{", "\\$", "\\,", "\\!", "\\quad", "{,}", "0", "-0", "2^{-1074}", "1e-400", "1/0", "0^0", "0/0", "\\frac{1}{0}",
    ];

    private static string RandomString(Random random)
    {
        var sb = new StringBuilder();
        switch (random.Next(10))
        {
            case 0:
                // Raw random characters, control and non-ASCII included.
                for (var k = random.Next(80); k > 0; k--) sb.Append((char)random.Next(1, 0x3000));
                return sb.ToString();
            case 1:
            {
                // Deep nesting of one construct.
                var (open, close) = random.Next(6) switch
                {
                    0 => ("{", "}"), 1 => ("(", ")"), 2 => ("\\sqrt{", "}"), 3 => ("\\frac{1}{", "}"), 4 => ("2^{", "}"), _ => ("\\left(", "\\right)"),
                };
                var depth = random.Next(1, 3000);
                for (var k = 0; k < depth; k++) sb.Append(open);
                sb.Append(random.Next(100));
                for (var k = 0; k < depth; k++) sb.Append(close);
                return random.Next(2) == 0 ? "\\boxed{" + sb + "}" : sb.ToString();
            }
            case 2:
            {
                // A long repetition of one piece.
                var piece = Pieces[random.Next(Pieces.Length)];
                for (var k = random.Next(50, 1500); k > 0; k--) sb.Append(piece);
                return sb.ToString();
            }
            default:
                for (var k = random.Next(60); k > 0; k--) sb.Append(Pieces[random.Next(Pieces.Length)]);
                return sb.ToString();
        }
    }

    /// <summary>Inputs named by the issue, each paired with a different gold; all must come back "not equal, timed out".</summary>
    public static TheoryData<string, string, string> Pathological()
    {
        var nested = new string('{', 10_000) + "1" + new string('}', 10_000);
        return new TheoryData<string, string, string>
        {
            { "tower", "\\boxed{10^{10^{10^{10}}}}", "5" },
            { "nested braces", "\\boxed{" + nested + "}", "1" },
            { "1 MB digits", new string('7', 1_000_000), "7" },
            { "factorial", "The answer is $\\boxed{(10^9)!}$", "5" },
        };
    }

    /// <summary>Long texts built to make a naive scanner quadratic (unclosed delimiters, unclosed boxes, digits
    /// and spaces); each must be graded within the bound, whatever the verdict.</summary>
    public static TheoryData<string, string> Quadratic()
    {
        static string Repeat(string piece, int times) => string.Concat(Enumerable.Repeat(piece, times));
        return new TheoryData<string, string>
        {
            { "unclosed \\(", Repeat("\\(", 50_000) },
            { "unclosed \\[", Repeat("\\[ x ", 20_000) },
            { "unclosed $$", Repeat("$$ 1 ", 20_000) },
            { "unclosed boxes", Repeat("\\boxed{", 12_000) },
            { "digits and blanks", Repeat("1 ", 50_000) + "x K2A " + new string(' ', 50_000) },
            { "frac chain", Repeat("\\frac{", 12_000) },
            { "text chain", Repeat("\\text{", 14_000) },
        };
    }

    [Theory]
    [MemberData(nameof(Quadratic))]
    public void LongAdversarialTextsStayWithinTheBound(string name, string response)
    {
        var grader = new VerifyGrader();
        var limit = grader.Options.TimeLimit;
        var (result, elapsed) = Timed(limit, () => grader.Grade(response, "5"));
        output.WriteLine($"{name}: {elapsed.TotalMilliseconds:F1} ms, {result}");
        Assert.False(result.Correct);
        Assert.True(elapsed < 2 * limit, $"{name} took {elapsed.TotalMilliseconds:F0} ms twice in a row");
    }

    [Theory]
    [MemberData(nameof(Pathological))]
    public void PathologicalInputIsNotEqualAndTimedOutWithinTheBound(string name, string response, string gold)
    {
        var grader = new VerifyGrader();
        var limit = grader.Options.TimeLimit;
        var (result, elapsed) = Timed(limit, () => grader.Grade(response, gold));
        output.WriteLine($"{name}: {elapsed.TotalMilliseconds:F1} ms, {result}");
        Assert.False(result.Correct);
        Assert.True(result.TimedOut, $"{name} should be counted as a timeout");
        Assert.True(elapsed < 2 * limit, $"{name} took {elapsed.TotalMilliseconds:F0} ms twice in a row");

        var truncated = response.Length > 50_000 ? response[..50_000] : response;
        var (equal, symbolicElapsed) = Timed(limit, () => SymbolicEquality.AreEqual(truncated, gold, new GradeBudget(limit)));
        Assert.False(equal);
        Assert.True(symbolicElapsed < 2 * limit, $"{name}: SymbolicEquality took {symbolicElapsed.TotalMilliseconds:F0} ms twice in a row");
    }

    // Times one call; a call over 2x the limit is run once more and the second time counts, as in the fuzz
    // test below: a real overrun is deterministic and repeats, a thread descheduled on a loaded machine does not.
    private static (T Result, TimeSpan Elapsed) Timed<T>(TimeSpan limit, Func<T> call)
    {
        var watch = Stopwatch.StartNew();
        var result = call();
        if (watch.Elapsed <= 2 * limit) return (result, watch.Elapsed);
        watch.Restart();
        result = call();
        return (result, watch.Elapsed);
    }

    [Fact]
    public void TenThousandRandomAndAdversarialStringsNeverThrowNorOverrun()
    {
        var random = new Random(424242);
        var grader = new VerifyGrader();
        var limit = grader.Options.TimeLimit;
        var inputs = Enumerable.Range(0, 10_000).Select(_ => RandomString(random)).ToList();
        var failures = new List<string>();
        var slowest = TimeSpan.Zero;
        var timeouts = 0;
        var retried = 0;
        var total = Stopwatch.StartNew();

        // Runs one bounded call; a call over 2x the limit is run again, and only a repeated overrun fails
        // (a real overrun is deterministic, a descheduled thread on a loaded CI machine is not).
        void Bounded(int k, string what, Action call)
        {
            for (var attempt = 0; attempt < 2; attempt++)
            {
                var watch = Stopwatch.StartNew();
                try { call(); }
                catch (Exception e)
                {
                    failures.Add($"#{k} {what} threw {e.GetType().Name}: {e.Message}");
                    return;
                }
                var elapsed = watch.Elapsed;
                if (elapsed > slowest) slowest = elapsed;
                if (elapsed <= 2 * limit) return;
                if (attempt == 0) { retried++; continue; }
                failures.Add($"#{k} {what} took {elapsed.TotalMilliseconds:F0} ms twice: {Preview(inputs[k])}");
            }
        }

        for (var k = 0; k < inputs.Count; k++)
        {
            var response = inputs[k];
            var gold = k % 3 == 0 ? response : inputs[(k * 7 + 1) % inputs.Count];
            Bounded(k, "Grade", () => { if (grader.Grade(response, gold).TimedOut) timeouts++; });
            Bounded(k, "Extract", () => grader.Extract(response));
            Bounded(k, "SymbolicEquality", () => SymbolicEquality.AreEqual(response, gold, new GradeBudget(limit)));
        }
        output.WriteLine($"10,000 fuzz inputs in {total.Elapsed.TotalSeconds:F1} s; slowest call {slowest.TotalMilliseconds:F1} ms; "
                         + $"{timeouts} timeouts; {retried} calls re-run after a first overrun");
        foreach (var f in failures.Take(20)) output.WriteLine(f);
        Assert.Empty(failures);
    }

    private static string Preview(string s) => s.Length > 80 ? s[..80] + "..." : s;
}
