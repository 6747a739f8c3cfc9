using Rlvr.Grading;

namespace Rlvr.Core.Voting;

/// <summary>Answers judged equivalent, with how many samples gave them.</summary>
/// <param name="Answer">The label this group stands for: its most frequent written form (ties: the form seen first).</param>
/// <param name="Votes">How many samples gave an answer in this group.</param>
/// <param name="FirstSample">Index of the first sample that voted for it (the tie-break).</param>
/// <param name="Forms">Each distinct written form and its count, in order of first appearance.</param>
public sealed record AnswerGroup(string Answer, int Votes, int FirstSample, IReadOnlyList<(string Form, int Count)> Forms);

/// <summary>The outcome of one problem's vote.</summary>
/// <param name="Label">The majority answer, or null when no sample gave an answer.</param>
/// <param name="Samples">k, the number of samples (with or without an answer).</param>
/// <param name="Answered">How many samples gave a non-empty answer.</param>
/// <param name="Groups">The answer groups, most votes first (ties in first-appearance order); Groups[0] is the winner.</param>
public sealed record VoteResult(string? Label, int Samples, int Answered, IReadOnlyList<AnswerGroup> Groups)
{
    /// <summary>Votes for the winning group.</summary>
    public int WinnerVotes => Groups.Count > 0 ? Groups[0].Votes : 0;

    /// <summary>The winner's share of all k samples minus the runner-up's (0 on a tie, 1 when all k agree).
    /// Counting over k rather than over answered samples keeps "no answer" from inflating confidence.</summary>
    public double Margin => Samples == 0 ? 0 : (WinnerVotes - (Groups.Count > 1 ? Groups[1].Votes : 0)) / (double)Samples;
}

/// <summary>
/// Majority voting over sampled answers, as upstream's labeling scripts (majority_voting_labeling.py)
/// do, but grouping answers by grader equivalence instead of string equality, so "0.5", "\frac{1}{2}"
/// and "1/2" vote together.
/// <para>Grouping: samples are taken in order; an answer joins the first existing group whose first
/// form it is equivalent to (identical strings join without asking the grader), else it starts a
/// new group. Empty or missing answers do not vote. Equivalence is only checked against each group's
/// first form, so for a non-transitive grader the grouping follows sample order; it is always
/// deterministic.</para>
/// <para>Tie-break: the group with more votes wins; among equal counts, the group whose first vote
/// came earliest in the sample order wins (Python's Counter.most_common, which upstream uses, breaks
/// ties the same way: first seen first). The label is the group's most frequent form (ties: first seen).</para>
/// </summary>
public static class MajorityVote
{
    /// <summary>Extracts each response's answer with the grader and votes.</summary>
    public static VoteResult Vote(IReadOnlyList<string> responses, IAnswerGrader grader) =>
        VoteOnAnswers([.. responses.Select(grader.Extract)], grader.AnswersEquivalent);

    /// <summary>Votes on already-extracted answers (null or blank = no answer).</summary>
    public static VoteResult VoteOnAnswers(IReadOnlyList<string?> answers, Func<string, string, bool> equivalent)
    {
        var groups = new List<GroupBuilder>();
        var groupOfForm = new Dictionary<string, GroupBuilder>(StringComparer.Ordinal);
        var answered = 0;
        for (var i = 0; i < answers.Count; i++)
        {
            var answer = answers[i];
            if (string.IsNullOrWhiteSpace(answer)) continue;
            answered++;
            if (!groupOfForm.TryGetValue(answer, out var group))
            {
                group = groups.FirstOrDefault(g => equivalent(g.FirstForm, answer));
                if (group == null)
                {
                    group = new GroupBuilder(answer, i);
                    groups.Add(group);
                }
                groupOfForm[answer] = group;
            }
            group.Add(answer);
        }
        var ordered = groups
            .OrderByDescending(g => g.Votes)
            .ThenBy(g => g.FirstSample)
            .Select(g => g.Build())
            .ToList();
        return new VoteResult(ordered.Count > 0 ? ordered[0].Answer : null, answers.Count, answered, ordered);
    }

    private sealed class GroupBuilder(string firstForm, int firstSample)
    {
        private readonly List<(string Form, int Count)> _forms = [];

        public string FirstForm { get; } = firstForm;
        public int FirstSample { get; } = firstSample;
        public int Votes { get; private set; }

        public void Add(string form)
        {
            Votes++;
            var index = _forms.FindIndex(f => f.Form == form);
            if (index < 0) _forms.Add((form, 1));
            else _forms[index] = (form, _forms[index].Count + 1);
        }

        public AnswerGroup Build()
        {
            // Most frequent form; the first such form on ties (MaxBy keeps the first maximum).
            var label = _forms.MaxBy(f => f.Count).Form;
            return new AnswerGroup(label, Votes, FirstSample, [.. _forms]);
        }
    }
}
