using Rlvr.Core.IO;
using System.Text;
using System.Text.Json;
using Rlvr.Core.Data;
using Rlvr.Core.Templates;

namespace Rlvr.Core.Evaluation;

/// <summary>Sampling settings of majority-vote labeling (upstream majority_voting_labeling.py: 64 samples per raw
/// prompt, no chat template, temperature 1.0, top-p 1.0, 3,072 new tokens).</summary>
public sealed record VoteSamplingSettings(
    int Votes = 64,
    double Temperature = 1.0,
    double TopP = 1.0,
    int MaxNewTokens = 3072,
    long Seed = 0,
    int BatchSequences = 64,
    IPromptTemplate? Template = null);

/// <summary>
/// The sampling half of `rlvr label --model DIR --votes 64`: draws k responses per problem and writes
/// them as the JSON Lines samples file that `rlvr label --samples` reads, one {"id", "response"} per
/// line. All k lines of a problem are written in one flushed append, so an interrupted run resumes:
/// problems already complete are skipped, and a problem left incomplete by a crash is dropped and redone.
/// Under several ranks the batches are dealt out in rounds (<see cref="LockstepBatches"/>) and rank 0 alone
/// writes, in batch order: the file is the one a single process writes.
/// </summary>
public static class VoteSampler
{
    private sealed record Line(string Id, string Response);
    private sealed record BatchLines(List<string> Ids, string Text);

    /// <summary>Writes (or completes) <paramref name="path"/>; returns the number of problems sampled in this call.</summary>
    public static int Write(IReadOnlyList<Problem> problems, ITextGenerator generator, VoteSamplingSettings settings, string path,
        Action<int, int>? progress = null, CancellationToken cancel = default, IWorkPeers? peers = null)
    {
        peers ??= SingleWorker.Instance;
        bool leader = peers.Rank == 0;
        if (settings.Votes < 1) throw new ArgumentException($"--votes {settings.Votes}: need at least 1");
        var duplicate = problems.GroupBy(p => p.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null) throw new ArgumentException($"problem id '{duplicate.Key}' appears twice; samples are matched to problems by id");
        var template = settings.Template ?? PromptTemplates.Create("raw");
        var done = leader ? KeepCompleteProblems(path, settings.Votes) : [];
        if (peers.Size > 1) // rank 0's view of the file, on every rank
            done = JsonSerializer.Deserialize<HashSet<string>>(peers.AllGather(leader ? JsonSerializer.SerializeToUtf8Bytes(done) : [])[0])!;

        if (leader) Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var stream = leader ? new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.None) : null;
        var sampled = 0;
        var sampling = new SamplingSettings(settings.Temperature, settings.TopP, settings.MaxNewTokens, template.StopStrings, 0);
        var pending = BatchPlanner.Plan(problems.Count, settings.Votes, 1, settings.BatchSequences)
            .Where(batch => batch.Indices.Any(i => !done.Contains(problems[i].Id))).ToList();
        BatchLines Sample(EvalBatch batch)
        {
            // The whole batch is generated even when part of it was done, so that its seed gives the same samples.
            var outputs = generator.Generate(batch.Indices.Select(i => new GenerationRequest(template.Render(problems[i].Prompt), settings.Votes)).ToList(),
                sampling with { Seed = BatchPlanner.Seed(settings.Seed, "label", batch) });
            var text = new StringBuilder();
            var ids = new List<string>();
            for (var j = 0; j < batch.Indices.Count; j++)
            {
                var problem = problems[batch.Indices[j]];
                if (done.Contains(problem.Id)) continue;
                foreach (var sample in outputs[j]) text.Append(JsonSerializer.Serialize(new Line(problem.Id, sample.Text), EvalJson.Compact)).Append('\n');
                ids.Add(problem.Id);
            }
            return new BatchLines(ids, text.ToString());
        }
        LockstepBatches.Run(pending, peers, Sample, b => JsonSerializer.SerializeToUtf8Bytes(b), b => JsonSerializer.Deserialize<BatchLines>(b)!, (_, lines) =>
        {
            done.UnionWith(lines.Ids);
            sampled += lines.Ids.Count;
            if (stream is null) return;
            stream.Write(Encoding.UTF8.GetBytes(lines.Text));
            stream.Flush(flushToDisk: true);
            progress?.Invoke(done.Count, problems.Count);
        }, cancel);
        return sampled;
    }

    /// <summary>The ids with all their samples in <paramref name="path"/>; rewrites the file without incomplete problems and torn lines.</summary>
    private static HashSet<string> KeepCompleteProblems(string path, int votes)
    {
        if (!File.Exists(path)) return [];
        var lines = new List<(string Raw, string Id)>();
        foreach (var raw in File.ReadAllText(path).Split('\n'))
        {
            if (raw.Length == 0) continue;
            try
            {
                var line = JsonSerializer.Deserialize<Line>(raw, EvalJson.Compact);
                if (line?.Id != null) lines.Add((raw, line.Id));
            }
            catch (JsonException)
            {
                // a torn last line from a crash: dropped below
            }
        }
        var counts = lines.GroupBy(l => l.Id).ToDictionary(g => g.Key, g => g.Count());
        var over = counts.FirstOrDefault(c => c.Value > votes);
        if (over.Key != null)
            throw new InvalidOperationException($"{path}: problem '{over.Key}' has {over.Value} samples, more than --votes {votes}; use the votes it was made with or another file");
        var complete = counts.Where(c => c.Value == votes).Select(c => c.Key).ToHashSet();
        var kept = lines.Where(l => complete.Contains(l.Id)).Select(l => l.Raw + "\n");
        AtomicFile.WriteAllText(path, string.Concat(kept));
        return complete;
    }
}
