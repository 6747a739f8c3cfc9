namespace Rlvr.Core.Hub;

/// <summary>
/// The local Hugging Face Hub cache that huggingface_hub, transformers and vLLM share, in its documented layout:
/// <code>
/// CACHE/models--{org}--{name}/
///   refs/{revision}                       the commit hash a branch or tag pointed at when last fetched (no newline)
///   blobs/{etag}                          file contents, named by the Hub's etag (sha256 for LFS files, git sha1 else)
///   snapshots/{commit}/{path}             per-commit tree of relative symlinks ../../blobs/{etag}
/// CACHE/.locks/models--{org}--{name}/{etag}.lock
/// </code>
/// CACHE is $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub (the order huggingface_hub reads them in).
/// </summary>
public sealed class HubCache(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>The cache the environment names.</summary>
    public static HubCache FromEnvironment()
    {
        if (Environment.GetEnvironmentVariable("HF_HUB_CACHE") is { Length: > 0 } cache) return new HubCache(Expand(cache));
        if (Environment.GetEnvironmentVariable("HF_HOME") is { Length: > 0 } home) return new HubCache(Path.Combine(Expand(home), "hub"));
        // huggingface_hub puts HF_HOME under $XDG_CACHE_HOME when that is set, else under ~/.cache.
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var cacheHome = xdg is { Length: > 0 } ? Expand(xdg) : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return new HubCache(Path.Combine(cacheHome, "huggingface", "hub"));
    }

    /// <summary>models--org--name: the repository's folder ("/" becomes "--", prefixed by the repository type).</summary>
    public static string RepoFolderName(string repo) => "models--" + repo.Replace("/", "--");

    public string RepoFolder(string repo) => Path.Combine(Root, RepoFolderName(repo));
    public string RefPath(string repo, string revision) => Path.Combine(RepoFolder(repo), "refs", revision);
    public string BlobPath(string repo, string etag) => Path.Combine(RepoFolder(repo), "blobs", etag);
    public string SnapshotFolder(string repo, string commit) => Path.Combine(RepoFolder(repo), "snapshots", commit);
    public string LockPath(string repo, string etag) => Path.Combine(Root, ".locks", RepoFolderName(repo), etag + ".lock");

    /// <summary>
    /// The snapshot folder of <paramref name="id"/>: a commit hash names its snapshot directly, a branch or tag is
    /// read from refs/. Null when the cache has no such snapshot.
    /// </summary>
    public string? FindSnapshot(HubModelId id)
    {
        var commit = id.RevisionIsCommit ? id.Revision : ReadRef(id.Repo, id.Revision);
        if (commit is null) return null;
        var folder = SnapshotFolder(id.Repo, commit);
        return Directory.Exists(folder) ? folder : null;
    }

    /// <summary>The commit hash refs/<paramref name="revision"/> holds, or null.</summary>
    public string? ReadRef(string repo, string revision)
    {
        var path = RefPath(repo, revision);
        if (!File.Exists(path)) return null;
        var commit = File.ReadAllText(path).Trim();
        return commit.Length > 0 ? commit : null;
    }

    private static string Expand(string path) =>
        path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..])
            : path;
}
