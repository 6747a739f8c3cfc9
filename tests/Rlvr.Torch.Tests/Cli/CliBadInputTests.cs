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

    [Fact]
    public void An_output_folder_that_is_a_file_is_one_line()
    {
        var file = _temp["file"];
        File.WriteAllText(file, "x");
        AssertOneLineError(CliRunner.Run("train", "--out", file), $"{file}: a file is there");
    }

    internal static void AssertOneLineError(CliRunner.Outcome outcome, string named)
    {
        Assert.True(outcome.ExitCode == 2, $"exit {outcome.ExitCode}, stderr: {outcome.Stderr}");
        var line = Assert.Single(outcome.ErrorLines);
        Assert.StartsWith("error: ", line);
        Assert.Contains(named, line);
    }
}
