using Rlvr.Cli.Commands;
using Rlvr.Core.Evaluation;
using Rlvr.Tests;
using Rlvr.Torch.Tests.Cli;

namespace Rlvr.Torch.Tests.Hub;

/// <summary>
/// `rlvr generate` and `rlvr eval` given a Hub id, found in a cache made by hand in huggingface_hub's layout
/// (refs/main, snapshots of relative symlinks into blobs/) that HF_HUB_CACHE points at; `--download` fetches
/// an id that is not there from HF_ENDPOINT. In the console collection (run alone): these tests set environment
/// variables and read what the verbs print.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class HubModelCommandTests : IDisposable
{
    private const string Commit = "89abcdef0123456789abcdef0123456789abcdef";
    private readonly TempFolder _temp = new();
    private static readonly string[] Variables = ["HF_HUB_CACHE", "HF_ENDPOINT", "HF_HUB_OFFLINE", "HF_TOKEN"];
    private readonly string?[] _saved = Variables.Select(Environment.GetEnvironmentVariable).ToArray();

    public HubModelCommandTests()
    {
        Environment.SetEnvironmentVariable("HF_HUB_CACHE", _temp["hub"]);
        Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", null);
        Environment.SetEnvironmentVariable("HF_TOKEN", null);
    }

    public void Dispose()
    {
        for (var i = 0; i < Variables.Length; i++) Environment.SetEnvironmentVariable(Variables[i], _saved[i]);
        _temp.Dispose();
    }

    /// <summary>The tiny model as huggingface_hub would have cached it: each file a blob, the snapshot of symlinks, refs/main.</summary>
    private void MakeCache(string repo)
    {
        var source = TinyModelFolder.Create(_temp.Path, "source");
        var repoFolder = Path.Combine(_temp["hub"], "models--" + repo.Replace("/", "--"));
        var snapshot = Directory.CreateDirectory(Path.Combine(repoFolder, "snapshots", Commit)).FullName;
        Directory.CreateDirectory(Path.Combine(repoFolder, "blobs"));
        foreach (var file in Directory.GetFiles(source))
        {
            var etag = LoopbackHub.Sha256(File.ReadAllBytes(file));
            File.Move(file, Path.Combine(repoFolder, "blobs", etag));
            File.CreateSymbolicLink(Path.Combine(snapshot, Path.GetFileName(file)), $"../../blobs/{etag}");
        }
        Directory.CreateDirectory(Path.Combine(repoFolder, "refs"));
        File.WriteAllText(Path.Combine(repoFolder, "refs", "main"), Commit);
        Directory.Delete(source);
    }

    private static int Generate(params string[] extra) => GenerateCommand.Create()
        .Parse(["--prompt", "1+1=", "--template", "qwen-math", "--greedy", "--max-new-tokens", "3", .. extra]).Invoke();

    private int Eval(string model, params string[] extra) => EvalCommand.Create().Parse(
    [
        "--model", model, "--datasets", "MATH-500", "--limit", "1", "--data-dir", RepoPaths.Data(), "--out", _temp["out"],
        "--max-new-tokens", "3", "--template", "qwen-math", .. extra,
    ]).Invoke();

    [Fact]
    public void GenerateAndEvalFindAHubIdInTheCache()
    {
        MakeCache("my-org/tiny-qwen2");
        Assert.Equal(0, Generate("--model", "my-org/tiny-qwen2"));
        Assert.Equal(0, Generate("--model", $"my-org/tiny-qwen2@{Commit}"));
        Assert.Equal(0, Eval("my-org/tiny-qwen2"));
        // Output files are named after the model, as upstream named them after the model path's last part.
        Assert.True(File.Exists(Path.Combine(_temp["out"], "tiny-qwen2_MATH-500.json")));
    }

    [Fact]
    public void AnUncachedIdIsBadInputAndNothingIsDownloadedUnlessAsked()
    {
        using var hub = new LoopbackHub();
        Environment.SetEnvironmentVariable("HF_ENDPOINT", hub.Endpoint);
        foreach (var args in new[] { ["generate", "--prompt", "x"], ["eval", "--out", _temp["out"]], new[] { "train", "--out", _temp["out"] } })
        {
            var outcome = CliRunner.Run([.. args, "--model", "my-org/tiny-qwen2"]);
            Assert.Equal(2, outcome.ExitCode);
            Assert.Contains("not in the Hugging Face cache", Assert.Single(outcome.ErrorLines));
            Assert.Contains("`rlvr download my-org/tiny-qwen2`", outcome.Stderr);
        }
        Assert.Empty(hub.Requests);
        Assert.False(Directory.Exists(_temp["out"]));
    }

    [Fact]
    public void DownloadFetchesIntoTheCacheThatTheVerbsRead()
    {
        using var hub = new LoopbackHub();
        Environment.SetEnvironmentVariable("HF_ENDPOINT", hub.Endpoint);
        var source = TinyModelFolder.Create(_temp.Path, "source");
        hub.AddRepo("my-org/tiny-qwen2", Commit, Directory.GetFiles(source)
            .Select(f => new LoopbackHub.RepoFile(Path.GetFileName(f), File.ReadAllBytes(f), f.EndsWith(".safetensors"))).ToList());

        var missing = CliRunner.Run("download", "my-org/missing");
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("error: my-org/missing: not found on " + hub.Endpoint + " (HTTP 404): check the model id", missing.ErrorLines.Last());
        Assert.Equal(2, CliRunner.Run("download", "not-an-id").ExitCode);
        Assert.Equal(0, Generate("--model", "my-org/tiny-qwen2", "--download"));
        hub.Requests.Clear();
        Assert.Equal(0, Eval("my-org/tiny-qwen2"));   // now cached: no request
        Assert.Empty(hub.Requests);
        Assert.Equal(0, DownloadCommand.Create().Parse(["my-org/tiny-qwen2"]).Invoke());
        Assert.DoesNotContain(hub.Requests, r => r.Path.StartsWith("/lfs/", StringComparison.Ordinal));  // blobs present: not fetched again
    }
}
