using Rlvr.Core.Hub;

namespace Rlvr.Core.Tests.Hub;

/// <summary>
/// Finding models in a Hugging Face cache laid out by hand as huggingface_hub documents it
/// (models--org--name/refs/main holding a commit hash, snapshots/{commit}/ of relative symlinks into blobs/).
/// Alone in a collection that runs after the parallel ones: two tests change the process's environment variables
/// and working folder.
/// </summary>
[Collection(nameof(ProcessStateCollection))]
public sealed class HubCacheTests : IDisposable
{
    private const string Commit = "0123456789abcdef0123456789abcdef01234567";
    private const string OtherCommit = "fedcba9876543210fedcba9876543210fedcba98";
    private readonly string _root = Directory.CreateTempSubdirectory("rlvr-hubcache-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A repository with snapshots for two commits, main pointing at <see cref="Commit"/> and tag v2 at the other.</summary>
    private HubCache MakeCache()
    {
        var repo = Path.Combine(_root, "hub", "models--my-org--Tiny.Model-1.5B");
        Directory.CreateDirectory(Path.Combine(repo, "blobs"));
        File.WriteAllText(Path.Combine(repo, "blobs", "aaaa"), "{}");
        foreach (var commit in new[] { Commit, OtherCommit })
        {
            Directory.CreateDirectory(Path.Combine(repo, "snapshots", commit));
            File.CreateSymbolicLink(Path.Combine(repo, "snapshots", commit, "config.json"), "../../blobs/aaaa");
        }
        Directory.CreateDirectory(Path.Combine(repo, "refs"));
        File.WriteAllText(Path.Combine(repo, "refs", "main"), Commit);  // no newline, as huggingface_hub writes it
        File.WriteAllText(Path.Combine(repo, "refs", "v2"), OtherCommit + "\n");
        return new HubCache(Path.Combine(_root, "hub"));
    }

    [Theory]
    [InlineData("Qwen/Qwen2.5-Math-7B", "Qwen/Qwen2.5-Math-7B", "main")]
    [InlineData("meta-llama/Llama-3.1-8B-Instruct@v1.0", "meta-llama/Llama-3.1-8B-Instruct", "v1.0")]
    [InlineData("a/b@refs/pr/1", "a/b", "refs/pr/1")]
    public void ParsesHubIds(string text, string repo, string revision)
    {
        Assert.True(HubModelId.TryParse(text, out var id));
        Assert.Equal((repo, revision), (id.Repo, id.Revision));
    }

    [Theory]
    [InlineData("runs/x/model/extra")]   // a path with two slashes
    [InlineData("./x/y")]
    [InlineData("/models/Qwen")]
    [InlineData("Qwen2.5-Math-7B")]     // no namespace
    [InlineData("a--b/c")]              // ambiguous as a cache folder name
    [InlineData("a/b@")]
    [InlineData("a/b@../../etc")]
    public void RejectsWhatIsNotAHubId(string text) => Assert.False(HubModelId.TryParse(text, out _));

    [Fact]
    public void TheRepositoryFolderNameFollowsHuggingFaceHub() =>
        // huggingface_hub's documented example: julien-c/EsperBERTo-small is cached in models--julien-c--EsperBERTo-small.
        Assert.Equal("models--julien-c--EsperBERTo-small", HubCache.RepoFolderName("julien-c/EsperBERTo-small"));

    [Fact]
    public void ABranchResolvesThroughRefsAndACommitNamesItsSnapshot()
    {
        var cache = MakeCache();
        var main = ModelLocator.Locate("my-org/Tiny.Model-1.5B", cache);
        Assert.Equal(Path.Combine(cache.Root, "models--my-org--Tiny.Model-1.5B", "snapshots", Commit), main.Folder);
        Assert.Equal("Tiny.Model-1.5B", main.Name);
        Assert.Equal("{}", File.ReadAllText(Path.Combine(main.Folder, "config.json")));  // read through the symlink

        Assert.EndsWith(OtherCommit, ModelLocator.Locate("my-org/Tiny.Model-1.5B@v2", cache).Folder);
        Assert.EndsWith(OtherCommit, ModelLocator.Locate($"my-org/Tiny.Model-1.5B@{OtherCommit}", cache).Folder);
    }

    [Fact]
    public void ALocalFolderWinsOverACachedIdOfTheSameName()
    {
        var cache = MakeCache();
        var previous = Environment.CurrentDirectory;
        Directory.CreateDirectory(Path.Combine(_root, "my-org", "Tiny.Model-1.5B"));
        try
        {
            Environment.CurrentDirectory = _root;
            var located = ModelLocator.Locate("my-org/Tiny.Model-1.5B", cache);
            Assert.Equal("my-org/Tiny.Model-1.5B", located.Folder);
            Assert.Null(located.HubId);
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }
    }

    [Fact]
    public void AnUncachedIdIsOneLineNamingTheDownloadCommand()
    {
        var cache = MakeCache();
        var error = Assert.Throws<DirectoryNotFoundException>(() => ModelLocator.Locate("Qwen/Qwen2.5-Math-7B@v1", cache));
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("rlvr download Qwen/Qwen2.5-Math-7B@v1", error.Message);
        Assert.Contains(cache.Root, error.Message);
        // A revision with no ref, and a ref whose snapshot is missing, are not cached either.
        Assert.Throws<DirectoryNotFoundException>(() => ModelLocator.Locate("my-org/Tiny.Model-1.5B@v3", cache));
        Directory.Delete(Path.Combine(cache.Root, "models--my-org--Tiny.Model-1.5B", "snapshots", OtherCommit), recursive: true);
        Assert.Throws<DirectoryNotFoundException>(() => ModelLocator.Locate("my-org/Tiny.Model-1.5B@v2", cache));
        // Not an id and not a folder: says so, without mentioning the cache.
        var notId = Assert.Throws<DirectoryNotFoundException>(() => ModelLocator.Locate("no/such/folder", cache));
        Assert.StartsWith("--model no/such/folder: no such folder", notId.Message);
    }

    [Fact]
    public void TheDownloadHookIsCalledOnlyForAMissingId()
    {
        var cache = MakeCache();
        var asked = new List<HubModelId>();
        string Fetch(HubModelId id) { asked.Add(id); return _root; }
        ModelLocator.Locate("my-org/Tiny.Model-1.5B", cache, Fetch);
        Assert.Empty(asked);
        Assert.Equal(_root, ModelLocator.Locate("Qwen/Qwen2.5-Math-7B", cache, Fetch).Folder);
        Assert.Equal([new HubModelId("Qwen/Qwen2.5-Math-7B", "main")], asked);
    }

    [Fact]
    public void TheCacheFolderComesFromHfHubCacheElseHfHomeElseTheUsersCache()
    {
        string?[] saved = [Environment.GetEnvironmentVariable("HF_HUB_CACHE"), Environment.GetEnvironmentVariable("HF_HOME"), Environment.GetEnvironmentVariable("XDG_CACHE_HOME")];
        try
        {
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", null);
            Environment.SetEnvironmentVariable("HF_HUB_CACHE", "/tmp/a");
            Environment.SetEnvironmentVariable("HF_HOME", "/tmp/b");
            Assert.Equal("/tmp/a", HubCache.FromEnvironment().Root);
            Environment.SetEnvironmentVariable("HF_HUB_CACHE", null);
            Assert.Equal("/tmp/b/hub", HubCache.FromEnvironment().Root);
            Environment.SetEnvironmentVariable("HF_HOME", null);
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            Assert.Equal(Path.Combine(home, ".cache", "huggingface", "hub"), HubCache.FromEnvironment().Root);
        }
        finally
        {
            Environment.SetEnvironmentVariable("HF_HUB_CACHE", saved[0]);
            Environment.SetEnvironmentVariable("HF_HOME", saved[1]);
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", saved[2]);
        }
    }
}

/// <summary>Tests that change process-wide state (environment variables, working folder) run in here, one at a time.</summary>
[CollectionDefinition(nameof(ProcessStateCollection), DisableParallelization = true)]
public sealed class ProcessStateCollection;
