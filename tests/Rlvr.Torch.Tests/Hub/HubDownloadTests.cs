using Rlvr.Core.Hub;
using Rlvr.Tests;
using Rlvr.Torch.Checkpoints;
using Rlvr.Torch.Models;

namespace Rlvr.Torch.Tests.Hub;

/// <summary>
/// `rlvr download`'s engine against <see cref="LoopbackHub"/> serving the tiny fixture model: an interrupted
/// transfer resumes with a Range request, the cache ends up in huggingface_hub's layout (the fixture
/// tests/fixtures/hub-cache/tiny-qwen2-layout.txt), the model then loads by id, and refusals are one line.
/// </summary>
public sealed class HubDownloadTests : IDisposable
{
    private const string Repo = "rlvr-test/tiny-qwen2";
    private const string Commit = "5b2f1d0c3e4a69788a1f2e3d4c5b6a7980716253";
    private readonly TempFolder _temp = new();
    private readonly LoopbackHub _hub = new();

    public void Dispose()
    {
        _hub.Dispose();
        _temp.Dispose();
    }

    private static IReadOnlyList<LoopbackHub.RepoFile> TinyModelFiles() =>
    [
        new("config.json", File.ReadAllBytes(RepoPaths.Fixtures("qwen2-tied", "config.json")), Lfs: false),
        new("generation_config.json", File.ReadAllBytes(RepoPaths.Fixtures("qwen2-tied", "generation_config.json")), Lfs: false),
        new("model.safetensors", File.ReadAllBytes(RepoPaths.Fixtures("qwen2-tied", "model.safetensors")), Lfs: true),
        new("tokenizer.json", File.ReadAllBytes(RepoPaths.Fixtures("tiny-chatml-tokenizer", "tokenizer.json")), Lfs: false),
        new("tokenizer_config.json", File.ReadAllBytes(RepoPaths.Fixtures("tiny-chatml-tokenizer", "tokenizer_config.json")), Lfs: false),
    ];

    private HubDownloader Downloader(HubCache cache, string? token = null) =>
        new(cache, new HubSettings(_hub.Endpoint, token, Offline: false));

    [Fact]
    public async Task AnInterruptedDownloadResumesAndLeavesHuggingFaceHubsLayoutThenLoadsById()
    {
        _hub.AddRepo(Repo, Commit, TinyModelFiles());
        var cache = new HubCache(_temp["hub"]);
        var id = HubModelId.Parse(Repo);
        var weights = File.ReadAllBytes(RepoPaths.Fixtures("qwen2-tied", "model.safetensors"));
        var sha = LoopbackHub.Sha256(weights);
        var incomplete = cache.BlobPath(Repo, sha) + ".incomplete";

        // The transfer of model.safetensors (471,904 bytes) is killed once 200,000 bytes are in (as Ctrl-C would):
        // the server has sent them and stalls; the progress lines say when the client has received them.
        _hub.StallNextLfsTransferAfter = 200_000;
        using var kill = new CancellationTokenSource();
        var progress = new WatchedWriter(line => { if (line.StartsWith("model.safetensors: 200.0 kB / 471.9 kB at ", StringComparison.Ordinal)) kill.Cancel(); });
        using (var first = new HubDownloader(cache, new HubSettings(_hub.Endpoint, null, Offline: false), new DownloadProgress(progress, inPlace: false, TimeSpan.Zero)))
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.DownloadAsync(id, [], kill.Token));
        Assert.Contains(progress.Lines, l => l.StartsWith("model.safetensors: 200.0 kB / 471.9 kB at ", StringComparison.Ordinal) && l.Contains(" left"));
        var kept = new FileInfo(incomplete).Length;
        Assert.Equal(200_000, kept);
        Assert.False(File.Exists(cache.BlobPath(Repo, sha)));
        Assert.Null(cache.FindSnapshot(id));  // refs/main is written only once every file is in

        _hub.Requests.Clear();
        using (var second = new HubDownloader(cache, new HubSettings(_hub.Endpoint, null, Offline: false), new DownloadProgress(progress, inPlace: false, TimeSpan.Zero)))
            Assert.Equal(cache.SnapshotFolder(Repo, Commit), await second.DownloadAsync(id, []));

        Assert.Contains(progress.Lines, l => l.StartsWith("model.safetensors: 471.9 kB / 471.9 kB at ", StringComparison.Ordinal) && l.EndsWith("(resumed at 200.0 kB) done"));
        // The weights were continued from where they stopped; the files already complete were not fetched again.
        var gets = _hub.Requests.Where(r => r.Method == "GET").ToList();
        Assert.Equal([$"bytes={kept}-"], gets.Where(r => r.Path == $"/lfs/{sha}").Select(r => r.Range));
        Assert.DoesNotContain(gets, r => r.Path.EndsWith("/config.json", StringComparison.Ordinal));
        Assert.Equal(weights, File.ReadAllBytes(cache.BlobPath(Repo, sha)));

        Assert.Equal(CacheLayout.ReadFixture(RepoPaths.Fixtures("hub-cache", "tiny-qwen2-layout.txt")), CacheLayout.Describe(cache.Root));

        // Loaded by id through the cache, the weights give the transformers reference logits.
        var located = ModelLocator.Locate(Repo, cache);
        var fixture = ModelFixture.Load("qwen2-tied");
        using var model = CheckpointLoader.Load(located.Folder, Placement.Cpu);
        Assert.InRange(fixture.MaxLogitError(model, 0), 0, 1e-4);
    }

    [Fact]
    public async Task ADroppedConnectionIsOneLineAndTheNextRunCompletesTheFile()
    {
        _hub.AddRepo(Repo, Commit, TinyModelFiles());
        var cache = new HubCache(_temp["hub"]);
        var id = HubModelId.Parse(Repo);
        _hub.CutNextLfsTransferAfter = 200_000;
        using (var first = Downloader(cache))
        {
            var stopped = await Assert.ThrowsAsync<HubException>(() => first.DownloadAsync(id, []));
            Assert.DoesNotContain('\n', stopped.Message);
            Assert.StartsWith("model.safetensors: the transfer stopped after ", stopped.Message);
            Assert.EndsWith("run the same command again to resume it", stopped.Message);
        }
        using (var second = Downloader(cache))
            await second.DownloadAsync(id, []);
        var weights = File.ReadAllBytes(RepoPaths.Fixtures("qwen2-tied", "model.safetensors"));
        Assert.Equal(weights, File.ReadAllBytes(cache.BlobPath(Repo, LoopbackHub.Sha256(weights))));
    }

    /// <summary>A text stream that hands each line to a callback as it is written, and keeps them.</summary>
    private sealed class WatchedWriter(Action<string> onLine) : TextWriter
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;
        public override void WriteLine(string? value)
        {
            Lines.Enqueue(value ?? "");
            onLine(value ?? "");
        }
    }

    [Fact]
    public async Task IncludePatternsFetchOnlyTheMatchingFiles()
    {
        _hub.AddRepo(Repo, Commit, TinyModelFiles());
        var cache = new HubCache(_temp["hub"]);
        using var downloader = Downloader(cache);
        var snapshot = await downloader.DownloadAsync(HubModelId.Parse($"{Repo}@{Commit}"), ["*.json"]);
        Assert.Equal(["config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json"],
            Directory.GetFileSystemEntries(snapshot).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(_hub.Requests, r => r.Path.StartsWith("/lfs/", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(cache.RepoFolder(Repo), "refs")));  // a commit needs no ref
    }

    [Fact]
    public async Task ATokenOpensAPrivateModelAndRefusalsAreOneLineEach()
    {
        _hub.AddRepo(Repo, Commit, TinyModelFiles(), token: "hf_secret");
        var cache = new HubCache(_temp["hub"]);
        async Task<string> Refusal(string model, string? token)
        {
            using var downloader = Downloader(cache, token);
            var error = await Assert.ThrowsAsync<HubException>(() => downloader.DownloadAsync(HubModelId.Parse(model), []));
            Assert.DoesNotContain('\n', error.Message);
            return error.Message;
        }
        var unauthorized = await Refusal(Repo, null);
        Assert.Contains("HTTP 401", unauthorized);
        Assert.Contains("HF_TOKEN", unauthorized);
        Assert.Contains("HTTP 403", await Refusal(Repo, "hf_wrong"));
        Assert.Contains("HTTP 404", await Refusal("rlvr-test/no-such-model", "hf_secret"));
        Assert.Contains("no such revision", await Refusal($"{Repo}@v9", "hf_secret"));
        Assert.False(Directory.Exists(cache.RepoFolder(Repo)));

        using var allowed = Downloader(cache, "hf_secret");
        Assert.True(File.Exists(Path.Combine(await allowed.DownloadAsync(HubModelId.Parse(Repo), []), "model.safetensors")));
    }

    [Fact]
    public async Task OfflineModeUsesTheCacheAndNeverTheNetwork()
    {
        _hub.AddRepo(Repo, Commit, TinyModelFiles());
        var cache = new HubCache(_temp["hub"]);
        using var offline = new HubDownloader(cache, new HubSettings(_hub.Endpoint, null, Offline: true));
        var error = await Assert.ThrowsAsync<HubException>(() => offline.DownloadAsync(HubModelId.Parse(Repo), []));
        Assert.Contains("HF_HUB_OFFLINE", error.Message);
        Assert.Empty(_hub.Requests);

        using (var online = Downloader(cache)) await online.DownloadAsync(HubModelId.Parse(Repo), []);
        _hub.Requests.Clear();
        Assert.Equal(cache.SnapshotFolder(Repo, Commit), await offline.DownloadAsync(HubModelId.Parse(Repo), []));
        Assert.Empty(_hub.Requests);
    }
}
