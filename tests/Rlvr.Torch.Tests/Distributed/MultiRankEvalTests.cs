using System.Text.Json;
using Rlvr.Cli.Commands;
using Rlvr.Core.Evaluation;
using Rlvr.Tests;

namespace Rlvr.Torch.Tests.Distributed;

/// <summary>
/// `rlvr eval` as 2 ranks under mpirun writes the very files one process writes: the batches (3 shards of
/// MATH-500 and AIME-2024, a few problems each) are dealt to the ranks, each batch sampled with its own
/// seed, and rank 0 merges them; also when it resumes another run's journal.
/// </summary>
public sealed class MultiRankEvalTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rlvr-mpieval-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { if (Directory.Exists(_root)) Directory.Delete(_root, true); }

    private string[] Arguments(string model, string output) =>
    [
        "eval", "--model", model, "--datasets", "MATH-500,AIME-2024", "--limit", "5", "--shards", "3", "--data-dir", RepoPaths.Data(),
        "--out", output, "--max-new-tokens", "4", "--seed", "7", "--template", "qwen-math", "--threads", "1",
    ];

    [MpiFact]
    public void Two_ranks_evaluate_into_the_files_one_process_writes_also_when_resuming()
    {
        var model = TinyModelFolder.Create(_root);
        var single = Path.Combine(_root, "single");
        Assert.Equal(0, EvalCommand.Create().Parse(Arguments(model, single)).Invoke());

        var two = Path.Combine(_root, "two");
        var (code, output, error) = MpiRun.Run(2, Arguments(model, two));
        Assert.True(code == 0, $"mpirun exited {code}: {output}\n{error}");
        AssertSameFiles(single, two);
        Assert.Single(output.Split('\n'), l => l.StartsWith("wrote ", StringComparison.Ordinal)); // rank 0 alone prints

        // An interrupted run leaves a journal: its settings line and the problems finished (here the first 2 of AIME-2024).
        var resumed = Path.Combine(_root, "resumed");
        Directory.CreateDirectory(resumed);
        File.Copy(Path.Combine(single, "tiny-qwen2_MATH-500.json"), Path.Combine(resumed, "tiny-qwen2_MATH-500.json"));
        var aime = EvalJson.ReadResult(Path.Combine(single, "tiny-qwen2_AIME-2024.json"));
        File.WriteAllLines(Path.Combine(resumed, "tiny-qwen2_AIME-2024.partial.jsonl"),
            [JsonSerializer.Serialize(aime.Run, EvalJson.Compact), .. aime.Problems.Take(2).Select(p => JsonSerializer.Serialize(p, EvalJson.Compact))]);
        (code, output, error) = MpiRun.Run(2, Arguments(model, resumed));
        Assert.True(code == 0, $"mpirun exited {code}: {output}\n{error}");
        Assert.Contains("AIME-2024: 2/5 problems (2 resumed)", output);
        AssertSameFiles(single, resumed);
    }

    [MpiFact]
    public void Two_ranks_sample_the_votes_file_one_process_samples()
    {
        var model = TinyModelFolder.Create(_root);
        string[] Arguments(string output) =>
        [
            "label", "--model", model, "--votes", "4", "--limit", "5", "--batch-size", "4", "--data", "DeepScaleR", "--data-dir", RepoPaths.Data(),
            "--out", output, "--max-new-tokens", "6", "--seed", "5", "--threads", "1",
        ];
        var single = Path.Combine(_root, "label-single");
        Assert.Equal(0, LabelCommand.Create().Parse(Arguments(single)[1..]).Invoke());
        var two = Path.Combine(_root, "label-two");
        var (code, output, error) = MpiRun.Run(2, Arguments(two));
        Assert.True(code == 0, $"mpirun exited {code}: {output}\n{error}");
        // 5 batches of one problem's 4 votes, dealt to 2 ranks in 3 rounds; rank 0 writes them in batch order.
        const string samples = "DeepScaleR_mv_labeled_tiny-qwen2_samples.jsonl";
        Assert.Equal(20, File.ReadAllLines(Path.Combine(single, samples)).Length);
        Assert.Equal(File.ReadAllText(Path.Combine(single, samples)), File.ReadAllText(Path.Combine(two, samples)));
        // labelling (rank 0 alone) wrote the same set of files
        Assert.Equal(Directory.GetFiles(single, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(single, f)).Order(),
            Directory.GetFiles(two, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(two, f)).Order());
    }

    /// <summary>
    /// The same files with the same contents, byte for byte: eval's graders are bounded by work, not by time
    /// (GradeOptions.Reproducible), so a verdict cannot depend on which rank graded it or on the load.
    /// </summary>
    private static void AssertSameFiles(string expected, string actual)
    {
        var names = Directory.GetFiles(expected).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(names, Directory.GetFiles(actual).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));
        foreach (var name in names)
            Assert.True(File.ReadAllText(Path.Combine(expected, name)) == File.ReadAllText(Path.Combine(actual, name)), $"{name} differs");
    }
}
