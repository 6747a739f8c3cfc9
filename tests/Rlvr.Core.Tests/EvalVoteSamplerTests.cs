using System.Text.Json;
using Rlvr.Core.Data;
using Rlvr.Core.Evaluation;

namespace Rlvr.Core.Tests;

/// <summary>The sampling half of majority-vote labeling: the samples file's layout and its resume.</summary>
public sealed class EvalVoteSamplerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rlvr-votes-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static List<Problem> Problems(int count) =>
        Enumerable.Range(0, count).Select(i => new Problem($"id{i}", $"What is {i}?", i.ToString(), "t", DatasetSplit.Train)).ToList();

    private static List<(string Id, string Response)> Read(string path) =>
        File.ReadAllLines(path).Select(l =>
        {
            using var d = JsonDocument.Parse(l);
            return (d.RootElement.GetProperty("id").GetString()!, d.RootElement.GetProperty("response").GetString()!);
        }).ToList();

    [Fact]
    public void WritesKSamplesPerProblemAsIdResponseLinesWithRawPromptsAtTemperatureOne()
    {
        var path = Path.Combine(_dir, "samples.jsonl");
        var generator = new ScriptedGenerator();
        Assert.Equal(5, VoteSampler.Write(Problems(5), generator, new VoteSamplingSettings(Votes: 4, MaxNewTokens: 8, BatchSequences: 8), path));
        var lines = Read(path);
        Assert.Equal(20, lines.Count);
        Assert.All(lines.GroupBy(l => l.Id), g => Assert.Equal(4, g.Count()));
        Assert.Equal("What is 3?", generator.Calls[1].Batch[1].Prompt);  // raw prompt, batch 2 holds problems 2 and 3
        Assert.All(generator.Calls, c => Assert.Equal(1.0, c.Settings.Temperature));
    }

    [Fact]
    public void ResumeSkipsCompleteProblemsAndRedoesAnIncompleteOne()
    {
        var path = Path.Combine(_dir, "samples.jsonl");
        var settings = new VoteSamplingSettings(Votes: 3, BatchSequences: 3);
        var clean = Path.Combine(_dir, "clean.jsonl");
        VoteSampler.Write(Problems(4), new ScriptedGenerator(), settings, clean);

        Assert.Throws<IOException>(() => VoteSampler.Write(Problems(4), new ScriptedGenerator(failAfterCalls: 2), settings, path));
        // Simulate a crash inside the third problem's write: one full line and a torn one.
        var partial = File.ReadAllLines(clean).Skip(6).ToArray();
        File.AppendAllText(path, partial[0] + "\n" + partial[1][..10]);

        var generator = new ScriptedGenerator();
        Assert.Equal(2, VoteSampler.Write(Problems(4), generator, settings, path));
        Assert.Equal(2, generator.Calls.Count);
        Assert.Equal(File.ReadAllText(clean), File.ReadAllText(path));  // same samples, none twice, none lost
    }
}
