using Rlvr.Core.Data;
using Rlvr.Grading;

namespace Rlvr.Core.Voting;

/// <summary>One problem after voting.</summary>
/// <param name="Problem">The problem with its ground-truth label.</param>
/// <param name="Vote">The vote over its samples.</param>
/// <param name="LabelCorrect">Whether the majority label is equivalent to the ground truth (null when there is no label).</param>
/// <param name="SampleAccuracy">The fraction of the k samples whose answer is equivalent to the ground truth.</param>
public sealed record VotedProblem(Problem Problem, VoteResult Vote, bool? LabelCorrect, double SampleAccuracy)
{
    /// <summary>The problem relabelled with its majority answer (null when no sample gave an answer).</summary>
    public Problem? Labeled => Vote.Label is { } label ? Problem with { Label = label } : null;
}

/// <summary>Summary numbers of a labeling run.</summary>
/// <param name="Problems">Problems in the dataset split.</param>
/// <param name="WithoutSamples">Problems no sample refers to (left out of the outputs).</param>
/// <param name="WithoutAnswer">Problems whose samples gave no answer at all (left out; upstream labelled them "").</param>
/// <param name="Labeled">Problems that received a majority label.</param>
/// <param name="Correct">Labeled problems whose label is equivalent to the ground truth.</param>
/// <param name="Samples">Samples read.</param>
/// <param name="MeanSampleAccuracy">Mean over labeled problems of the fraction of samples that are correct (upstream's average_correct).</param>
/// <param name="MeanMargin">Mean vote margin over labeled problems (see <see cref="VoteResult.Margin"/>).</param>
/// <param name="MarginHistogram">Labeled problems per margin bucket [0,0.1), [0.1,0.2), ..., [0.9,1.0]; ties have margin 0.</param>
/// <param name="Ties">Labeled problems whose top two groups had equal votes (decided by the tie-break).</param>
public sealed record LabelingSummary(
    int Problems,
    int WithoutSamples,
    int WithoutAnswer,
    int Labeled,
    int Correct,
    int Samples,
    double MeanSampleAccuracy,
    double MeanMargin,
    IReadOnlyList<int> MarginHistogram,
    int Ties)
{
    /// <summary>Labeled problems whose label is not equivalent to the ground truth (the `_incorrect` set).</summary>
    public int Incorrect => Labeled - Correct;

    /// <summary>Fraction of labels equivalent to the ground truth.</summary>
    public double LabelAccuracy => Labeled == 0 ? 0 : Correct / (double)Labeled;
}

/// <summary>The result of labeling: every voted problem in dataset order, and the summary.</summary>
public sealed record LabelingResult(IReadOnlyList<VotedProblem> Voted, LabelingSummary Summary)
{
    /// <summary>Problems relabelled with their majority answer, in dataset order.</summary>
    public IReadOnlyList<Problem> Labeled => [.. Voted.Select(v => v.Labeled).OfType<Problem>()];

    /// <summary>The labeled problems whose label is wrong, carrying that wrong label (the paper's "incorrect label" reward data).</summary>
    public IReadOnlyList<Problem> Incorrect => [.. Voted.Where(v => v.LabelCorrect == false).Select(v => v.Labeled!)];
}

/// <summary>
/// Majority-vote labeling of a dataset from k sampled responses per problem: upstream's
/// majority_voting_labeling.py + relabel_data_based_on_mv_labels.py, with grader-equivalence voting.
/// </summary>
public static class MajorityLabeler
{
    /// <summary>Votes on each problem's samples (joined by id) and judges the label against the ground truth.
    /// Samples are consumed as a stream: only each response's extracted answer is kept.</summary>
    /// <param name="problems">The dataset split, ids unique, labels = ground truth.</param>
    /// <param name="samples">The samples, in file order (the order decides ties); every id must belong to the dataset.</param>
    /// <param name="grader">Extracts answers and judges equivalence.</param>
    /// <param name="samplesPath">Named in errors.</param>
    /// <param name="datasetName">Named in errors.</param>
    /// <param name="progress">Called after every 10,000 samples read with the count so far.</param>
    public static LabelingResult Label(
        IReadOnlyList<Problem> problems,
        IEnumerable<Sample> samples,
        IAnswerGrader grader,
        string samplesPath,
        string datasetName,
        Action<int>? progress = null)
    {
        var answersById = new Dictionary<string, List<string?>>(StringComparer.Ordinal);
        foreach (var problem in problems)
        {
            if (!answersById.TryAdd(problem.Id, []))
            {
                throw new DatasetException($"{datasetName}: id '{problem.Id}' appears twice; samples are matched by id, so ids must be unique");
            }
        }
        var sampleCount = 0;
        foreach (var sample in samples)
        {
            if (!answersById.TryGetValue(sample.Id, out var answers))
            {
                throw new DatasetException($"{samplesPath}: line {sample.Line}: id '{sample.Id}' is not in dataset {datasetName}");
            }
            answers.Add(grader.Extract(sample.Response));
            if (++sampleCount % 10_000 == 0) progress?.Invoke(sampleCount);
        }

        var voted = new List<VotedProblem>();
        var withoutSamples = 0;
        foreach (var problem in problems)
        {
            var answers = answersById[problem.Id];
            if (answers.Count == 0)
            {
                withoutSamples++;
                continue;
            }
            var vote = MajorityVote.VoteOnAnswers(answers, grader.AnswersEquivalent);
            // Judge each group once against the ground truth: its samples share the verdict.
            var correctVotes = 0;
            bool? labelCorrect = null;
            for (var g = 0; g < vote.Groups.Count; g++)
            {
                var correct = grader.AnswersEquivalent(vote.Groups[g].Answer, problem.Label);
                if (correct) correctVotes += vote.Groups[g].Votes;
                if (g == 0) labelCorrect = correct;
            }
            voted.Add(new VotedProblem(problem, vote, labelCorrect, correctVotes / (double)vote.Samples));
        }
        return new LabelingResult(voted, Summarise(problems.Count, withoutSamples, sampleCount, voted));
    }

    private static LabelingSummary Summarise(int problems, int withoutSamples, int samples, IReadOnlyList<VotedProblem> voted)
    {
        var labeled = voted.Where(v => v.Vote.Label != null).ToList();
        var histogram = new int[10];
        foreach (var v in labeled)
        {
            // Integer arithmetic so that a margin of exactly 0.3 lands in [0.3, 0.4), not below it.
            var lead = v.Vote.WinnerVotes - (v.Vote.Groups.Count > 1 ? v.Vote.Groups[1].Votes : 0);
            histogram[Math.Min(9, lead * 10 / v.Vote.Samples)]++;
        }
        return new LabelingSummary(
            problems,
            withoutSamples,
            voted.Count - labeled.Count,
            labeled.Count,
            labeled.Count(v => v.LabelCorrect == true),
            samples,
            labeled.Count == 0 ? 0 : labeled.Average(v => v.SampleAccuracy),
            labeled.Count == 0 ? 0 : labeled.Average(v => v.Vote.Margin),
            histogram,
            labeled.Count(v => v.Vote.Groups.Count > 1 && v.Vote.Groups[0].Votes == v.Vote.Groups[1].Votes));
    }
}
