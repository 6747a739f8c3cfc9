using Rlvr.Cli.Commands;
using Rlvr.Core.Evaluation;
using Rlvr.Tests;

namespace Rlvr.Torch.Tests;

/// <summary>
/// `rlvr eval` through the verb itself (option parsing, template detection, model loading, output layout),
/// on the qwen2-tied fixture weights with the tiny ChatML tokenizer and the shipped datasets.
/// The pipeline's numbers are checked in <see cref="EvalEndToEndTests"/>; this checks the command around it.
/// </summary>
public sealed class EvalCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rlvr-evalcli-" + Guid.NewGuid().ToString("N"));
    private readonly string _modelDir;
    private readonly string _out;

    public EvalCommandTests()
    {
        _modelDir = TinyModelFolder.Create(_root);
        _out = Path.Combine(_root, "out");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Runs the verb on the tiny setup; <paramref name="overrides"/> are option/value pairs that replace
    /// the defaults (an option given twice would be a parse error, not the check under test).</summary>
    private int Eval(params string[] overrides)
    {
        var options = new Dictionary<string, string>
        {
            ["--model"] = _modelDir, ["--datasets"] = "MATH-500,AIME-2024", ["--limit"] = "2", ["--data-dir"] = RepoPaths.Data(),
            ["--out"] = _out, ["--max-new-tokens"] = "4", ["--seed"] = "7", ["--template"] = "qwen-math",
        };
        for (var i = 0; i < overrides.Length; i += 2) options[overrides[i]] = overrides[i + 1];
        return EvalCommand.Create().Parse(options.SelectMany(o => new[] { o.Key, o.Value }).ToArray()).Invoke();
    }

    [Fact]
    public void EvaluatesTwoDatasetsAndWritesOneResultFilePerDatasetAndASummary()
    {
        Assert.Equal(0, Eval());

        Assert.Equal(["summary.json", "tiny-qwen2_AIME-2024.json", "tiny-qwen2_MATH-500.json"],
            Directory.GetFiles(_out).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        // The paper's sample counts: MATH-500 one greedy sample, AIME eight at 0.6; --limit keeps the first 2 problems.
        foreach (var (dataset, k, temperature) in new[] { ("MATH-500", 1, 0.0), ("AIME-2024", 8, 0.6) })
        {
            var result = EvalJson.ReadResult(Path.Combine(_out, $"tiny-qwen2_{dataset}.json"));
            Assert.Equal(2, result.Problems.Count);
            Assert.All(result.Problems, p => Assert.Equal(k, p.Samples.Count));
            Assert.Equal(temperature, result.Run.Temperature);
            Assert.All(result.Problems.SelectMany(p => p.Samples), s => Assert.InRange(s.CompletionTokens, 1, 4));
        }
        // and upstream's eval_checkpoint.py layout, read by a reader written from that format alone
        var upstream = UpstreamEvalReader.Read(Path.Combine(_out, "upstream", "tiny-qwen2_AIME-2024.json"));
        var ours = EvalJson.ReadResult(Path.Combine(_out, "tiny-qwen2_AIME-2024.json"));
        Assert.Equal(("AIME-2024", _modelDir, 8, 0.6, "cpu"), (upstream.Dataset, upstream.Model, upstream.Rollouts, upstream.Temperature, upstream.GpuType));
        Assert.Equal((ours.Metrics.AvgAtK, ours.Metrics.PassAtKMax), (upstream.AvgAtK, upstream.PassAtK));
        Assert.Equal(ours.Problems.Select(p => p.Samples.Select(s => s.Response)), upstream.Metadata.Select(m => m.Outputs));
        var summary = EvalSummary.Read(Path.Combine(_out, "summary.json"));
        Assert.Equal("tiny-qwen2", summary.Model);
        Assert.Equal("paper", summary.Grader);
        Assert.Equal("qwen-math", summary.Template);
        Assert.Equal(["MATH-500", "AIME-2024"], summary.Datasets.Select(d => d.Dataset));
        Assert.Equal([2, 2], summary.Datasets.Select(d => d.Problems));
        Assert.Equal([1, 8], summary.Datasets.Select(d => d.Samples));
        Assert.Equal(["tiny-qwen2_MATH-500.json", "tiny-qwen2_AIME-2024.json"], summary.Datasets.Select(d => d.File));
    }

    [Fact]
    public void ABadOptionValueFailsBeforeWritingAnything()
    {
        // eval reports bad input with exit code 2 (one line on stderr), checked before the model is loaded;
        // the same arguments without the bad value succeed (the test above).
        Assert.Equal(2, Eval("--shards", "0"));
        Assert.Equal(2, Eval("--max-new-tokens", "0"));
        Assert.Equal(2, Eval("--grader", "sympy"));
        Assert.False(Directory.Exists(_out));
    }

    [Fact]
    public void FinishedResultsOfOtherSettingsAreRefusedBeforeAnythingIsWrittenUnlessAsked()
    {
        Assert.Equal(0, Eval());
        var files = Directory.GetFiles(_out).ToDictionary(f => f, File.ReadAllBytes);

        // Another seed would regenerate both datasets: refused up front, both files untouched (before, the first
        // dataset was rewritten and only an unfinished journal of the second stopped the run).
        Assert.Equal(2, Eval("--seed", "8"));
        Assert.All(files, f => Assert.Equal(f.Value, File.ReadAllBytes(f.Key)));
        Assert.Equal(files.Keys.Order(), Directory.GetFiles(_out).Order());

        // The same settings reuse the finished results; --overwrite replaces them.
        Assert.Equal(0, Eval());
        Assert.Equal(0, Eval("--seed", "8", "--overwrite", "true"));
        Assert.Equal(8, EvalJson.ReadResult(Path.Combine(_out, "tiny-qwen2_MATH-500.json")).Run.Seed);
    }

    [Fact]
    public void AFolderInUseByAnotherEvaluationIsRefused()
    {
        using (Rlvr.Core.IO.RunFolderLock.Acquire(_out, "rlvr eval"))
            Assert.Equal(2, Eval());
        Assert.Empty(Directory.GetFileSystemEntries(_out));  // nothing written, and the lock released
    }
}
