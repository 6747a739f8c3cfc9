using Rlvr.Grading;
using Rlvr.Grading.Paper;

namespace Rlvr.Core.Rewards;

/// <summary>
/// A grader set up for one reward: the paper grader reads r1-style answers itself; any other grader is
/// handed only the part after the last &lt;answer&gt; (upstream's r1 cut) when the reward asks for it.
/// </summary>
internal sealed class RewardGrader
{
    private readonly bool _cutForR1;

    public RewardGrader(RewardOptions options, bool r1Style)
    {
        if (options.MathGrader == GraderMode.Paper)
        {
            Grader = new PaperGrader(options.Grading) { R1Style = r1Style };
        }
        else
        {
            Grader = Graders.Create(options.MathGrader, options.Grading);
            _cutForR1 = r1Style;
        }
    }

    public IAnswerGrader Grader { get; }

    public string View(string completion) => _cutForR1 ? QwenAnswerExtractor.R1AnswerPart(completion) : completion;
}

/// <summary><c>math</c>: 1 when the completion's answer equals the label under the chosen grader.</summary>
public sealed class MathReward(string name, RewardOptions options, bool r1Style) : PerCompletionReward(name)
{
    private readonly RewardGrader _grader = new(options, r1Style);

    protected override double ScoreOne(RewardGroup group, int k) =>
        _grader.Grader.Grade(_grader.View(group.Completions[k]), group.Label).Correct ? 1.0 : 0.0;
}

/// <summary><c>format</c>: 1 when the Qwen extractor finds any answer (the last-number fallback counts,
/// so nearly any text with a digit scores 1), as upstream.</summary>
public sealed class FormatReward(string name, bool r1Style) : PerCompletionReward(name)
{
    protected override double ScoreOne(RewardGroup group, int k) =>
        QwenAnswerExtractor.Extract(group.Completions[k], r1Style).Length > 0 ? 1.0 : 0.0;
}

/// <summary><c>box_only_format</c>, the paper's "format reward": 1 when the last "boxed" holds a non-empty
/// answer after strip_string (r1 style: when the text after the last &lt;answer&gt; is non-empty).</summary>
public sealed class BoxOnlyFormatReward(string name, bool r1Style) : PerCompletionReward(name)
{
    protected override double ScoreOne(RewardGroup group, int k) =>
        QwenAnswerExtractor.ExtractBoxOnly(group.Completions[k], r1Style).Length > 0 ? 1.0 : 0.0;
}

/// <summary><c>contain_python</c> ("```python" in the lower-cased text) and <c>contain_python_wo_backticks</c>
/// ("python" in the lower-cased text: the paper's Python reward and its code-reasoning test).</summary>
public sealed class ContainsReward(string name, string needle) : PerCompletionReward(name)
{
    protected override double ScoreOne(RewardGroup group, int k) =>
        group.Completions[k].ToLowerInvariant().Contains(needle, StringComparison.Ordinal) ? 1.0 : 0.0;
}

/// <summary><c>no_repetition</c>: 0 when some substring of 10–256 characters repeats 10 times in a row.</summary>
public sealed class NoRepetitionReward(string name) : PerCompletionReward(name)
{
    protected override double ScoreOne(RewardGroup group, int k) =>
        RepetitionDetector.HasRepetition(group.Completions[k]) ? 0.0 : 1.0;
}
