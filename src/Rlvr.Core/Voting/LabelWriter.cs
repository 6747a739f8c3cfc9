using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlvr.Core.Data;
using Rlvr.Core.IO;

namespace Rlvr.Core.Voting;

/// <summary>
/// Writes a labeling result the way upstream's relabel script lays it out, so the folders load as datasets:
/// <c>OUT/NAME/{test,train}.json</c> (all labeled problems) and <c>OUT/NAME_incorrect/{test,train}.json</c>
/// (those whose label is wrong), rows <c>{id, prompt, answer, source}</c> with answer = the majority
/// label and source = the folder name; the first <c>testRows</c> rows go to test.json and the rest to
/// train.json (upstream: num_test_samples = 100). Also <c>OUT/NAME_votes.jsonl</c> (one line per voted
/// problem: groups, votes, margin, correctness) and <c>OUT/NAME_report.json</c> (the summary).
/// </summary>
public static class LabelWriter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes every output file; returns the paths written.</summary>
    public static IReadOnlyList<string> Write(LabelingResult result, string outFolder, string name, int testRows, string datasetName, string mode)
    {
        var written = new List<string>();
        written.AddRange(WriteSplits(result.Labeled, Path.Combine(outFolder, name), name, testRows));
        written.AddRange(WriteSplits(result.Incorrect, Path.Combine(outFolder, name + "_incorrect"), name + "_incorrect", testRows));

        var votes = Path.Combine(outFolder, name + "_votes.jsonl");
        AtomicFile.WriteAllText(votes, string.Concat(result.Voted.Select(v => VoteLine(v).ToJsonString(Compact) + "\n")));
        written.Add(votes);

        var report = Path.Combine(outFolder, name + "_report.json");
        AtomicFile.WriteAllText(report, Report(result.Summary, datasetName, mode).ToJsonString(Indented) + "\n");
        written.Add(report);
        return written;
    }

    private static IEnumerable<string> WriteSplits(IReadOnlyList<Problem> rows, string folder, string source, int testRows)
    {
        var test = Path.Combine(folder, "test.json");
        var train = Path.Combine(folder, "train.json");
        AtomicFile.WriteAllText(test, Rows(rows.Take(testRows), source));
        AtomicFile.WriteAllText(train, Rows(rows.Skip(testRows), source));
        return [test, train];
    }

    private static string Rows(IEnumerable<Problem> rows, string source) =>
        new JsonArray([.. rows.Select(p => new JsonObject
        {
            ["id"] = p.Id,
            ["prompt"] = p.Prompt,
            ["answer"] = p.Label,
            ["source"] = source,
        })]).ToJsonString(Indented) + "\n";

    private static JsonObject VoteLine(VotedProblem v) => new()
    {
        ["id"] = v.Problem.Id,
        ["ground_truth"] = v.Problem.Label,
        ["label"] = v.Vote.Label,
        ["label_correct"] = v.LabelCorrect,
        ["samples"] = v.Vote.Samples,
        ["answered"] = v.Vote.Answered,
        ["sample_accuracy"] = v.SampleAccuracy,
        ["margin"] = v.Vote.Margin,
        ["groups"] = new JsonArray([.. v.Vote.Groups.Select(g => new JsonObject
        {
            ["answer"] = g.Answer,
            ["votes"] = g.Votes,
            ["forms"] = new JsonObject(g.Forms.Select(f => KeyValuePair.Create(f.Form, (JsonNode?)f.Count))),
        })]),
    };

    private static JsonObject Report(LabelingSummary s, string datasetName, string mode) => new()
    {
        ["dataset"] = datasetName,
        ["grader"] = mode,
        ["problems"] = s.Problems,
        ["samples"] = s.Samples,
        ["without_samples"] = s.WithoutSamples,
        ["without_answer"] = s.WithoutAnswer,
        ["labeled"] = s.Labeled,
        ["correct"] = s.Correct,
        ["incorrect"] = s.Incorrect,
        ["label_accuracy"] = s.LabelAccuracy,
        ["mean_sample_accuracy"] = s.MeanSampleAccuracy,
        ["mean_margin"] = s.MeanMargin,
        ["ties"] = s.Ties,
        ["margin_histogram"] = new JsonArray([.. s.MarginHistogram.Select(c => (JsonNode?)c)]),
    };
}
