using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Rlvr.Torch.Tests.Hub;

/// <summary>
/// A Hugging Face Hub stand-in on 127.0.0.1 for download tests, answering as the Hub does:
/// <list type="bullet">
/// <item><c>GET /api/models/{repo}/revision/{revision}</c>: {"id", "sha": commit, "siblings": [{"rfilename"}]};</item>
/// <item><c>HEAD|GET /{repo}/resolve/{revision}/{path}</c>: git files answer 200 with ETag = git blob sha1 and
/// Content-Length; LFS files answer 302 to the storage with X-Linked-Etag = sha256 and X-Linked-Size;</item>
/// <item><c>GET /lfs/{sha256}</c>: the storage, honouring <c>Range: bytes=N-</c> with 206;</item>
/// <item>a repository given a token answers 401 without it and 403 with another; an unknown one 404 (X-Error-Code
/// RepoNotFound).</item>
/// </list>
/// <see cref="CutNextLfsTransferAfter"/> drops the connection part-way through the next storage transfer;
/// <see cref="StallNextLfsTransferAfter"/> sends part of it and then waits, so that the client can be stopped there.
/// </summary>
internal sealed class LoopbackHub : IDisposable
{
    public sealed record RepoFile(string Path, byte[] Content, bool Lfs);
    private sealed record Repo(string Commit, IReadOnlyList<RepoFile> Files, string? Token);
    public sealed record Request(string Method, string Path, string? Range);

    private readonly HttpListener _listener;
    private readonly Dictionary<string, Repo> _repos = new();
    private readonly Dictionary<string, byte[]> _lfs = new();
    private readonly Task _loop;

    public LoopbackHub()
    {
        // A free port: try a few at random (HttpListener cannot be asked for port 0). A listener whose Start
        // failed (port taken) is disposed by .NET's managed implementation, so each attempt gets a new one.
        for (var attempt = 0; ; attempt++)
        {
            var port = Random.Shared.Next(20000, 60000);
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                _listener = listener;
                Endpoint = $"http://127.0.0.1:{port}";
                break;
            }
            catch (HttpListenerException) when (attempt < 20)
            {
                listener.Close();
            }
        }
        _loop = Task.Run(ServeAsync);
    }

    public string Endpoint { get; } = "";

    /// <summary>Every request served, in order.</summary>
    public ConcurrentQueue<Request> Requests { get; } = new();

    /// <summary>When set, the next storage transfer sends this many bytes, then the connection is dropped.</summary>
    public long? CutNextLfsTransferAfter { get; set; }

    /// <summary>When set, the next storage transfer sends this many bytes and then sends nothing more until disposal.</summary>
    public long? StallNextLfsTransferAfter { get; set; }

    private readonly CancellationTokenSource _stopping = new();

    public void AddRepo(string repo, string commit, IReadOnlyList<RepoFile> files, string? token = null)
    {
        _repos[repo] = new Repo(commit, files, token);
        foreach (var f in files.Where(f => f.Lfs)) _lfs[Sha256(f.Content)] = f.Content;
    }

    public static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>Git's blob id: sha1 of "blob {length}\0" followed by the content.</summary>
    public static string GitBlobSha1(byte[] content) =>
        Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {content.Length}\0"), .. content]));

    public void Dispose()
    {
        _stopping.Cancel();
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            _ = Task.Run(async () =>  // one task per request: a stalled transfer must not hold up the next
            {
                try { await HandleAsync(context); }
                catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException) { }
            });
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var path = Uri.UnescapeDataString(request.Url!.AbsolutePath);
        Requests.Enqueue(new Request(request.HttpMethod, path, request.Headers["Range"]));

        if (path.StartsWith("/lfs/", StringComparison.Ordinal) && _lfs.TryGetValue(path[5..], out var blob))
        {
            await ServeBytesAsync(response, blob, request.Headers["Range"], request.HttpMethod == "HEAD", cuttable: true);
            return;
        }
        var parts = path.Trim('/').Split('/');
        var api = parts is ["api", "models", _, _, "revision", _];
        var resolve = parts.Length >= 5 && parts[2] == "resolve";
        if (!api && !resolve)
        {
            Refuse(response, 404, "EntryNotFound");
            return;
        }
        var repoName = api ? $"{parts[2]}/{parts[3]}" : $"{parts[0]}/{parts[1]}";
        if (!_repos.TryGetValue(repoName, out var repo))
        {
            Refuse(response, 404, "RepoNotFound");
            return;
        }
        if (repo.Token is not null && request.Headers["Authorization"] != $"Bearer {repo.Token}")
        {
            Refuse(response, request.Headers["Authorization"] is null ? 401 : 403, null);
            return;
        }
        var revision = api ? parts[5] : parts[3];
        if (revision != "main" && revision != repo.Commit)
        {
            Refuse(response, 404, "RevisionNotFound");
            return;
        }
        response.Headers["X-Repo-Commit"] = repo.Commit;
        if (api)
        {
            var listing = new { id = repoName, sha = repo.Commit, siblings = repo.Files.Select(f => new { rfilename = f.Path }) };
            await ServeBytesAsync(response, JsonSerializer.SerializeToUtf8Bytes(listing), null, false);
            return;
        }
        var file = repo.Files.FirstOrDefault(f => f.Path == string.Join('/', parts[4..]));
        if (file is null)
        {
            Refuse(response, 404, "EntryNotFound");
            return;
        }
        if (file.Lfs)
        {
            var sha = Sha256(file.Content);
            response.StatusCode = 302;
            response.Headers["Location"] = $"{Endpoint}/lfs/{sha}";
            response.Headers["X-Linked-Etag"] = $"\"{sha}\"";
            response.Headers["X-Linked-Size"] = file.Content.Length.ToString();
            response.Headers["ETag"] = $"\"{GitBlobSha1(Encoding.ASCII.GetBytes("pointer " + sha))}\"";  // the pointer file's
            response.ContentLength64 = 0;
            response.Close();
            return;
        }
        response.Headers["ETag"] = $"\"{GitBlobSha1(file.Content)}\"";
        await ServeBytesAsync(response, file.Content, null, request.HttpMethod == "HEAD");
    }

    private async Task ServeBytesAsync(HttpListenerResponse response, byte[] content, string? range, bool headOnly, bool cuttable = false)
    {
        var start = 0L;
        if (range is not null && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-')
            && long.TryParse(range[6..^1], out var from) && from < content.Length)
        {
            start = from;
            response.StatusCode = 206;
            response.Headers["Content-Range"] = $"bytes {start}-{content.Length - 1}/{content.Length}";
        }
        response.ContentLength64 = content.Length - start;
        if (headOnly)
        {
            response.Close();
            return;
        }
        if (cuttable && (CutNextLfsTransferAfter ?? StallNextLfsTransferAfter) is long cut && content.Length - start > cut)
        {
            var stall = CutNextLfsTransferAfter is null;
            (CutNextLfsTransferAfter, StallNextLfsTransferAfter) = (null, null);
            await response.OutputStream.WriteAsync(content.AsMemory((int)start, (int)cut));
            await response.OutputStream.FlushAsync();
            try { await Task.Delay(stall ? Timeout.Infinite : 300, _stopping.Token); }
            catch (OperationCanceledException) { }
            response.Abort();
            return;
        }
        await response.OutputStream.WriteAsync(content.AsMemory((int)start));
        response.Close();
    }

    private static void Refuse(HttpListenerResponse response, int status, string? errorCode)
    {
        response.StatusCode = status;
        if (errorCode is not null) response.Headers["X-Error-Code"] = errorCode;
        var body = Encoding.UTF8.GetBytes($"{{\"error\":\"{errorCode ?? "unauthorized"}\"}}");
        response.ContentLength64 = body.Length;
        response.OutputStream.Write(body);
        response.Close();
    }
}
