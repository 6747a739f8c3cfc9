using System.Text.Json;
using Rlvr.Core.Data;
using Rlvr.Grading;

namespace Rlvr.Core.Evaluation;

/// <summary>
/// Evaluates one dataset: plan shards and batches, generate, grade, journal, and (when every problem is
/// done) write `{model}_{dataset}.json`. A rerun after an interruption reads the journal and generates
/// only the batches that still hold unfinished problems. The batch grid and every batch's seed depend
/// only on the settings, so a resumed run produces the same samples as an uninterrupted one. Under
/// several ranks (<paramref name="peers"/>) the unfinished batches are dealt out in rounds
/// (<see cref="LockstepBatches"/>); every rank receives every graded problem, and rank 0 alone keeps the
/// journal and writes the result file, which is the one a single process writes.
/// </summary>
public sealed class EvalRunner(ITextGenerator generator, IAnswerGrader grader, EvalSettings settings, Action<EvalProgress>? progress = null,
    IWorkPeers? peers = null)
{
    private readonly IWorkPeers _peers = peers ?? SingleWorker.Instance;
    private bool Leader => _peers.Rank == 0;

    /// <summary>Evaluates <paramref name="problems"/> of <paramref name="dataset"/> with <paramref name="plan"/>.</summary>
    public EvalResult Run(string dataset, IReadOnlyList<Problem> problems, SamplingPlan plan, CancellationToken cancel = default)
    {
        if (problems.Count == 0) throw new ArgumentException($"dataset {dataset} has no problems", nameof(problems));
        var run = RunInfo(dataset, plan);
        var resultPath = settings.ResultPath(dataset);
        if (File.Exists(resultPath))
        {
            var existing = TryReadComplete(resultPath, run, problems);
            if (existing != null)
            {
                // A crash between writing the result and removing the journal leaves a stale journal.
                if (Leader && File.Exists(settings.JournalPath(dataset))) File.Delete(settings.JournalPath(dataset));
                progress?.Invoke(new EvalProgress(dataset, problems.Count, problems.Count, problems.Count));
                return existing;
            }
        }

        using var journal = Leader ? EvalJournal.Open(settings.JournalPath(dataset), run) : null;
        var done = new Dictionary<int, ProblemOutcome>();
        foreach (var p in Shared(journal?.Done ?? []))
        {
            if (p.Index < 0 || p.Index >= problems.Count || problems[p.Index].Id != p.Id)
                throw new InvalidOperationException($"{settings.JournalPath(dataset)}: problem {p.Index} (id {p.Id}) does not match dataset {dataset}; delete the journal to start over");
            done[p.Index] = p;
        }
        var resumed = done.Count;
        if (Leader) progress?.Invoke(new EvalProgress(dataset, done.Count, problems.Count, resumed));

        var sampling = new SamplingSettings(plan.Temperature, settings.TopP, settings.MaxNewTokens, settings.Template.StopStrings, 0);
        var pending = BatchPlanner.Plan(problems.Count, plan.Samples, settings.Shards, settings.BatchSequences)
            .Where(batch => !batch.Indices.All(done.ContainsKey)).ToList();
        List<ProblemOutcome> Evaluate(EvalBatch batch)
        {
            var requests = batch.Indices.Select(i => new GenerationRequest(settings.Prompt(problems[i].Prompt), plan.Samples)).ToList();
            var outputs = generator.Generate(requests, sampling with { Seed = BatchPlanner.Seed(settings.Seed, dataset, batch) });
            if (outputs.Count != requests.Count)
                throw new InvalidOperationException($"generator returned {outputs.Count} results for {requests.Count} prompts");
            var finished = new List<ProblemOutcome>();
            for (var j = 0; j < batch.Indices.Count; j++)
            {
                var index = batch.Indices[j];
                if (done.ContainsKey(index)) continue;  // journaled before a torn write: keep the first record
                if (outputs[j].Count != plan.Samples)
                    throw new InvalidOperationException($"generator returned {outputs[j].Count} samples for a prompt, expected {plan.Samples}");
                finished.Add(Grade(index, problems[index], outputs[j]));
            }
            return finished;
        }
        LockstepBatches.Run(pending, _peers, Evaluate, Encode, Decode, (_, finished) =>
        {
            foreach (var outcome in finished) done[outcome.Index] = outcome;
            journal?.Append(finished);
            if (Leader) progress?.Invoke(new EvalProgress(dataset, done.Count, problems.Count, resumed));
        }, cancel);

        var ordered = Enumerable.Range(0, problems.Count).Select(i => done[i]).ToList();
        var result = new EvalResult(run, EvalMetricsCalculator.Compute(ordered), ordered);
        if (Leader)
        {
            EvalJson.WriteResult(resultPath, result);
            journal!.Delete();
        }
        return result;
    }

    private static byte[] Encode(List<ProblemOutcome> outcomes) => JsonSerializer.SerializeToUtf8Bytes(outcomes, EvalJson.Compact);

    private static List<ProblemOutcome> Decode(byte[] bytes) => JsonSerializer.Deserialize<List<ProblemOutcome>>(bytes, EvalJson.Compact)!;

    /// <summary>Rank 0's journaled problems, on every rank.</summary>
    private IReadOnlyList<ProblemOutcome> Shared(IReadOnlyList<ProblemOutcome> journaled) =>
        _peers.Size == 1 ? journaled : Decode(_peers.AllGather(Leader ? Encode([.. journaled]) : [])[0]);

    private EvalRunInfo RunInfo(string dataset, SamplingPlan plan) => RunInfo(settings, dataset, plan);

    /// <summary>The settings a dataset's result and journal record (what must match for a result to be reused).</summary>
    internal static EvalRunInfo RunInfo(EvalSettings settings, string dataset, SamplingPlan plan) => new(
        settings.Model, dataset, settings.Grader, settings.Template.Name, plan.Samples, plan.Temperature, settings.TopP,
        settings.MaxNewTokens, settings.Shards, settings.Seed, settings.ProblemPrefix, settings.ProblemSuffix,
        settings.ResponsePrefix, settings.Template.StopStrings.ToArray());

    private ProblemOutcome Grade(int index, Problem problem, IReadOnlyList<GeneratedText> samples)
    {
        var graded = samples.Select(s =>
        {
            var verdict = grader.Grade(s.Text, problem.Label);
            return new SampleOutcome(s.Text, verdict.Extracted, verdict.Correct, CodeReasoning.HasCode(s.Text), s.PromptTokens,
                s.CompletionTokens, s.Finish, verdict.TimedOut);
        }).ToList();
        return new ProblemOutcome(index, problem.Id, problem.Prompt, problem.Label, graded);
    }

    /// <summary>A finished result file of the same settings and dataset, or null (then it is redone).</summary>
    internal static EvalResult? TryReadComplete(string path, EvalRunInfo run, IReadOnlyList<Problem> problems)
    {
        try
        {
            var r = EvalJson.ReadResult(path);
            var complete = r.Run.SameSettingsAs(run) && r.Problems.Count == problems.Count &&
                r.Problems.Select(p => p.Id).SequenceEqual(problems.Select(p => p.Id));
            return complete ? r : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
