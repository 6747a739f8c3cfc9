namespace Rlvr.Torch.Tests.Cli;

/// <summary>
/// Bad input through the `rlvr` command itself: each case exits 2 with exactly one line on stderr that
/// starts with "error:" and names the input at fault, before any work starts (so each case takes
/// milliseconds: no model is loaded, no run folder written).
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class CliBadInputTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string, string[]> CommandLines() => new()
    {
        // (what the one line must name, the arguments)
        { "no verb", [] },
        { "'bogus'", ["bogus"] },
        { "'--bogus'", ["train", "--bogus"] },
        { "--model is required", ["eval"] },
        { "--n: expected an integer, got 'abc'", ["generate", "--model", "m", "--prompt", "x", "--n", "abc"] },
        { "--limit: expected an integer, got 'abc'", ["eval", "--model", "m", "--limit", "abc"] },
        { "--temperature: expected a number, got 'hot'", ["eval", "--model", "m", "--temperature", "hot"] },
        { "'compare'", ["analyze", "compare"] },
    };

    [Theory]
    [MemberData(nameof(CommandLines))]
    public void A_command_line_that_does_not_parse_is_one_line_and_exit_2(string named, string[] args)
    {
        var outcome = CliRunner.Run(args);
        AssertOneLineError(outcome, named);
        Assert.Contains("--help", outcome.Stderr);
        Assert.DoesNotContain("System.", outcome.Stderr);
        Assert.Equal("", outcome.Stdout);  // no help page
    }

    public static TheoryData<string, string[]> TrainSettings() => new()
    {
        { "--set 'grpo.train_batch_size=-128': grpo.train_batch_size: expected an integer >= 1, got -128", ["--set", "grpo.train_batch_size=-128"] },
        { "--set 'run.steps=-5': run.steps", ["--set", "run.steps=-5"] },
        { "--set 'checkpoint.every=-1': checkpoint.every", ["--set", "checkpoint.every=-1"] },
        { "--set 'warm_start.steps=-3': warm_start.steps", ["--set", "warm_start.steps=-3"] },
        { "--set 'run.threads=-2': run.threads", ["--set", "run.threads=-2"] },
        { "--set 'rollout.temperature=-1': rollout.temperature", ["--set", "rollout.temperature=-1"] },
        { "--set 'rollout.temperature=abc': rollout.temperature: expected a number, got 'abc'", ["--set", "rollout.temperature=abc"] },
        { "config 'no/such.yaml'", ["--config", "no/such.yaml"] },
    };

    [Theory]
    [MemberData(nameof(TrainSettings))]
    public void A_bad_training_setting_is_one_line_naming_it_and_nothing_is_written(string named, string[] args)
    {
        var runDir = _temp["run"];
        AssertOneLineError(CliRunner.Run(["train", "--out", runDir, .. args]), named);
        Assert.False(Directory.Exists(runDir));
    }

    [Fact]
    public void A_second_training_run_on_a_folder_in_use_exits_2_naming_the_holder_and_writes_nothing()
    {
        // The first run holds the folder (as `rlvr train` does for its whole length); the second stops at once.
        var runDir = _temp["run"];
        using (Rlvr.Core.IO.RunFolderLock.Acquire(runDir, "rlvr train"))
        {
            var second = CliRunner.Run("train", "--out", runDir, "--set", "run.steps=1");
            AssertOneLineError(second, $"rlvr train (process {Environment.ProcessId} on {Environment.MachineName})");
            Assert.Equal([Rlvr.Core.IO.RunFolderLock.FileName], Directory.GetFileSystemEntries(runDir).Select(Path.GetFileName));
        }
    }

    public static TheoryData<string, string[]> DemoSettings() => new()
    {
        { "--seeds 1: at least 2", ["--seeds", "1"] },
        { "--only bogus: no such condition", ["--only", "bogus"] },
        { "run.steps", ["--set", "run.steps=-1"] },
        { "data.source must be generated:strategies", ["--config", "tiny-cpu"] },
    };

    [Theory]
    [MemberData(nameof(DemoSettings))]
    public void A_bad_demo_setting_is_one_line_naming_it_and_nothing_is_written(string named, string[] args)
    {
        var outDir = _temp["demo"];
        AssertOneLineError(CliRunner.Run(["demo", "--out", outDir, .. args]), named);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void A_demo_never_overwrites_a_folder_that_holds_something()
    {
        var outDir = _temp["demo"];
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "demo.md"), "an earlier table");
        AssertOneLineError(CliRunner.Run("demo", "--out", outDir), $"--out {outDir}: the folder is not empty");
        Assert.Equal("an earlier table", File.ReadAllText(Path.Combine(outDir, "demo.md")));
    }

    [Fact]
    public void An_output_folder_that_is_a_file_is_one_line()
    {
        var file = _temp["file"];
        File.WriteAllText(file, "x");
        AssertOneLineError(CliRunner.Run("train", "--out", file), $"{file}: a file is there");
    }

    // A real model folder (the qwen2-tied fixture weights and the tiny ChatML tokenizer) with one file spoilt.
    private string SpoiltModel(string name, Action<string> spoil)
    {
        var folder = TinyModelFolder.Create(_temp.Path, name);
        spoil(folder);
        return folder;
    }

    private static void ReplaceInConfig(string folder, string from, string to)
    {
        var path = Path.Combine(folder, "config.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace(from, to));
    }

    public static TheoryData<string> FileAndFolderCases() =>
    [
        "unknown architecture", "tokenizer of another model (train)", "tokenizer of another model (generate)", "tokenizer.json an array",
        "prompt past max_position_embeddings", "unknown data.source", "unknown eval.sets", "missing --data-dir",
        "eval --out a file", "eval --out unwritable", "train --out unwritable", "label --out unwritable", "eval --top-p 0",
        "analyze compare --chart with one run",
    ];

    [Theory]
    [MemberData(nameof(FileAndFolderCases))]
    public void A_bad_file_or_folder_is_one_line_naming_it(string input)
    {
        var run = _temp["run"];
        var unwritable = "/proc/rlvr-cannot-be-made";  // not even root can make a folder in /proc
        var file = _temp["a-file"];
        File.WriteAllText(file, "x");
        string[] train = ["train", "--out", run, "--set", "run.steps=1", "--set", "warm_start.steps=0"];
        (string[] Args, string Named) testCase = input switch
        {
            "unknown architecture" => ([.. train, "--model", SpoiltModel("arch", f => ReplaceInConfig(f, "Qwen2ForCausalLM", "FooForCausalLM"))],
                "architecture 'FooForCausalLM' is not supported"),
            "tokenizer of another model (train)" => ([.. train, "--model", SpoiltModel("vocab", f =>
                File.Copy(Rlvr.Tests.RepoPaths.Fixtures("qwen2-tokenizer", "tokenizer.json"), Path.Combine(f, "tokenizer.json"), overwrite: true))],
                "tokenizer.json: token ids go up to"),
            "tokenizer of another model (generate)" => (["generate", "--model", SpoiltModel("vocab2", f =>
                File.Copy(Rlvr.Tests.RepoPaths.Fixtures("qwen2-tokenizer", "tokenizer.json"), Path.Combine(f, "tokenizer.json"), overwrite: true)), "--prompt", "1+1="],
                "past the model's vocab_size 384"),
            "tokenizer.json an array" => (["generate", "--model", SpoiltModel("array", f => File.WriteAllText(Path.Combine(f, "tokenizer.json"), "[1, 2]")), "--prompt", "x"],
                "tokenizer.json: expected a JSON object"),
            "prompt past max_position_embeddings" => (["generate", "--model", SpoiltModel("positions", _ => { }), "--prompt-ids", "5,6,7", "--max-new-tokens", "510"],
                "exceed the model's max_position_embeddings 512"),
            "unknown data.source" => ([.. train, "--set", "data.source=NoSuchSet"], "data.source 'NoSuchSet': not a dataset name"),
            "unknown eval.sets" => ([.. train, "--set", "eval.sets=[NOPE]"], "eval.sets 'NOPE': not a dataset name"),
            "missing --data-dir" => ([.. train, "--data-dir", _temp["no-such-folder"]], "--data-dir " + _temp["no-such-folder"] + ": folder not found"),
            "eval --out a file" => (["eval", "--model", SpoiltModel("out", _ => { }), "--out", file, "--datasets", "MATH-500", "--limit", "1", "--template", "qwen-math"], $"{file}: a file is there"),
            "eval --out unwritable" => (["eval", "--model", SpoiltModel("out2", _ => { }), "--out", unwritable, "--datasets", "MATH-500", "--limit", "1", "--template", "qwen-math"], unwritable),
            "train --out unwritable" => (["train", "--out", unwritable], unwritable),
            "label --out unwritable" => (["label", "--data", "MATH-500", "--limit", "1", "--samples", Samples(), "--out", unwritable], unwritable),
            "eval --top-p 0" => (["eval", "--model", SpoiltModel("topp", _ => { }), "--out", run, "--top-p", "0"], "--top-p 0: expected a number in (0, 1]"),
            "analyze compare --chart with one run" => (["analyze", "compare", run, "--chart", _temp["gains.png"]], "a gain chart needs at least two runs"),
            _ => throw new ArgumentException(input),
        };
        var (args, named) = testCase;
        AssertOneLineError(CliRunner.Run(args), named);
        if (input.StartsWith("unknown d") || input.StartsWith("unknown e"))
            Assert.False(Directory.Exists(run), "a dataset typo must fail before the run folder is made (not after the warm start)");
    }

    // One sampled response for the first MATH-500 problem, as `rlvr label --samples` reads them.
    private string Samples()
    {
        var first = Rlvr.Core.Data.DatasetLoader.Load("MATH-500").Problems[0];
        var path = _temp["samples.jsonl"];
        File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(new { id = first.Id, response = $"\\boxed{{{first.Label}}}" }) + "\n");
        return path;
    }

    internal static void AssertOneLineError(CliRunner.Outcome outcome, string named)
    {
        Assert.True(outcome.ExitCode == 2, $"exit {outcome.ExitCode}, stderr: {outcome.Stderr}");
        var line = Assert.Single(outcome.ErrorLines);
        Assert.StartsWith("error: ", line);
        Assert.True(line.Contains(named, StringComparison.Ordinal), $"'{named}' not in: {line}");
    }
}
