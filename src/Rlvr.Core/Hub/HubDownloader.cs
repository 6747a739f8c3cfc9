using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Rlvr.Core.Hub;

/// <summary>
/// Fetches a model revision into the local Hub cache in the layout huggingface_hub writes (see <see cref="HubCache"/>),
/// so that transformers and vLLM find what it fetched and it finds what they fetched:
/// <list type="number">
/// <item>the listing (<c>/api/models/{repo}/revision/{revision}</c>) gives the commit and the files;</item>
/// <item>per file, a HEAD on <c>/{repo}/resolve/{commit}/{path}</c> gives the etag (the blob's name: sha256 for LFS
/// files, git sha1 else) and size (X-Linked-Etag / X-Linked-Size, which the Hub sets for LFS files, else ETag /
/// Content-Length), and possibly a redirect to the storage that serves the bytes;</item>
/// <item>the bytes go to blobs/{etag}.incomplete, continued with a Range request when an earlier transfer stopped,
/// are checked against the size and (LFS files) sha256, and are renamed to blobs/{etag};</item>
/// <item>snapshots/{commit}/{path} becomes a relative symlink to the blob, and refs/{revision} records the commit.</item>
/// </list>
/// A blob already present with the right size is not fetched again. Nothing here runs unless a user asked for a download.
/// </summary>
public sealed class HubDownloader : IDisposable
{
    private const int BufferBytes = 1 << 20;
    /// <summary>A transfer that sends nothing for this long is given up (and resumed by the next run), not waited on forever.</summary>
    private static readonly TimeSpan ReadStall = TimeSpan.FromSeconds(60);
    private readonly HubCache _cache;
    private readonly HubSettings _settings;
    private readonly DownloadProgress? _progress;
    private readonly HttpClient _http;

    public HubDownloader(HubCache cache, HubSettings settings, DownloadProgress? progress = null, HttpMessageHandler? handler = null)
    {
        (_cache, _settings, _progress) = (cache, settings, progress);
        // Redirects are followed by hand: the token must not travel to another host (the Hub's storage).
        _http = new HttpClient(handler ?? new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("rlvr/1.0");
    }

    public void Dispose() => _http.Dispose();

    /// <summary>
    /// Fetches the files of <paramref name="id"/> that match <paramref name="include"/> (all when empty) and returns the
    /// snapshot folder. Offline (HF_HUB_OFFLINE), an already cached snapshot is returned and anything else is an error.
    /// </summary>
    public async Task<string> DownloadAsync(HubModelId id, IReadOnlyCollection<string> include, CancellationToken cancel = default)
    {
        if (_settings.Offline)
        {
            return _cache.FindSnapshot(id)
                ?? throw new HubException($"{id}: HF_HUB_OFFLINE is set and the model is not in the cache {_cache.Root}; unset it to download");
        }
        var listing = await ListAsync(id, cancel);
        var files = listing.Files.Where(f => FilePatterns.MatchesAny(f.Path, include)).ToList();
        if (files.Count == 0)
            throw new HubException($"{id}: no file of the revision matches --include {string.Join(" ", include)} (it has {listing.Files.Count} files)");
        foreach (var file in files) await FetchFileAsync(id.Repo, listing.Commit, file, cancel);
        if (!id.RevisionIsCommit) WriteRef(id.Repo, id.Revision, listing.Commit);
        return _cache.SnapshotFolder(id.Repo, listing.Commit);
    }

    private async Task<HubListing> ListAsync(HubModelId id, CancellationToken cancel)
    {
        var url = $"{_settings.Endpoint}/api/models/{id.Repo}/revision/{Uri.EscapeDataString(id.Revision)}";
        using var response = await SendAsync(HttpMethod.Get, url, id.ToString(), null, cancel);
        return HubListing.Parse(await response.Content.ReadAsStringAsync(cancel), url);
    }

    private async Task FetchFileAsync(string repo, string commit, HubFile file, CancellationToken cancel)
    {
        var url = $"{_settings.Endpoint}/{repo}/resolve/{commit}/{EscapePath(file.Path)}";
        var meta = await HeadAsync(url, $"{repo}/{file.Path}", cancel);
        var size = meta.Size ?? file.Size;
        var blob = _cache.BlobPath(repo, meta.Etag);
        using (AcquireLock(_cache.LockPath(repo, meta.Etag)))
        {
            if (!(File.Exists(blob) && (size is null || new FileInfo(blob).Length == size)))
            {
                var expectedSha = file.Sha256 ?? (IsSha256(meta.Etag) ? meta.Etag : null);
                await TransferAsync(meta.Location, url, file.Path, blob, size, expectedSha, cancel);
            }
        }
        LinkIntoSnapshot(_cache.SnapshotFolder(repo, commit), file.Path, blob);
    }

    private sealed record FileMeta(string Etag, long? Size, string Location);

    /// <summary>The etag, size and download location of one file: relative redirects (a renamed repository) are
    /// followed, an absolute one (the Hub's storage) is where the bytes come from.</summary>
    private async Task<FileMeta> HeadAsync(string url, string what, CancellationToken cancel)
    {
        for (var hops = 0; ; hops++)
        {
            using var response = await SendAsync(HttpMethod.Head, url, what, null, cancel, allowRedirect: true);
            var status = (int)response.StatusCode;
            var location = response.Headers.Location;
            if (status is >= 300 and < 400 && location is not null && !location.IsAbsoluteUri && hops < 5)
            {
                url = new Uri(new Uri(url), location).ToString();
                continue;
            }
            var etag = Header(response, "X-Linked-Etag") ?? response.Headers.ETag?.Tag ?? Header(response, "ETag")
                ?? throw new HubException($"{what}: the server gave no ETag, so the file cannot be cached by content; is {_settings.Endpoint} a Hub?");
            var sizeText = Header(response, "X-Linked-Size");
            long? size = sizeText is not null && long.TryParse(sizeText, out var linked) ? linked : response.Content.Headers.ContentLength;
            var target = location is not null && location.IsAbsoluteUri ? location.ToString() : url;
            return new FileMeta(NormalizeEtag(etag), size, target);
        }
    }

    /// <summary>Streams the file into blob.incomplete (continuing it when present) and renames it to the blob once
    /// the size and the sha256 are right; a stopped transfer leaves the .incomplete file for the next run.</summary>
    private async Task TransferAsync(string location, string hubUrl, string name, string blob, long? size, string? sha256, CancellationToken cancel)
    {
        var incomplete = blob + ".incomplete";
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        var have = File.Exists(incomplete) ? new FileInfo(incomplete).Length : 0;
        if (size is long full && have > full) have = 0;  // not a prefix of this file: start over
        var range = have > 0 && (size is null || have < size) ? new RangeHeaderValue(have, null) : null;
        var sameHost = new Uri(location).Host == new Uri(hubUrl).Host;
        using var response = await SendAsync(HttpMethod.Get, location, name, range, cancel, sendToken: sameHost);
        if (range is not null && response.StatusCode != HttpStatusCode.PartialContent) have = 0;  // the server ignored Range
        long written = have;
        _progress?.Start(name, have, size);
        try
        {
            await using (var output = new FileStream(incomplete, have > 0 ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, BufferBytes))
            await using (var input = await response.Content.ReadAsStreamAsync(cancel))
            {
                var buffer = new byte[BufferBytes];
                using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                int read;
                while (true)
                {
                    stall.CancelAfter(ReadStall);
                    try { read = await input.ReadAsync(buffer, stall.Token); }
                    catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
                    {
                        throw new IOException($"no data for {ReadStall.TotalSeconds:0} s");
                    }
                    if (read == 0) break;
                    await output.WriteAsync(buffer.AsMemory(0, read), cancel);
                    written += read;
                    _progress?.Report(written);
                }
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new HubException($"{name}: the transfer stopped after {DownloadProgress.Bytes(written)} ({e.Message}); run the same command again to resume it");
        }
        _progress?.Finish(written);
        if (size is long expected && written != expected)
            throw new HubException($"{name}: received {written} bytes, the Hub announced {expected}; run the same command again to resume it");
        if (sha256 is not null)
        {
            var actual = Convert.ToHexStringLower(await HashAsync(incomplete, cancel));
            if (!string.Equals(actual, sha256, StringComparison.OrdinalIgnoreCase))
            {
                File.Delete(incomplete);
                throw new HubException($"{name}: sha256 {actual} does not match the Hub's {sha256}; the partial file was removed, run the command again");
            }
        }
        File.Move(incomplete, blob, overwrite: true);
    }

    /// <summary>snapshots/{commit}/{path} → a relative symlink to the blob (../../blobs/{etag}, one more ../ per folder in path).</summary>
    private static void LinkIntoSnapshot(string snapshot, string path, string blob)
    {
        var pointer = Path.Combine(snapshot, path);
        Directory.CreateDirectory(Path.GetDirectoryName(pointer)!);
        var target = Path.GetRelativePath(Path.GetDirectoryName(pointer)!, blob);
        var existing = new FileInfo(pointer);
        if (existing.LinkTarget == target) return;
        if (existing.Exists || existing.LinkTarget is not null) existing.Delete();
        File.CreateSymbolicLink(pointer, target);
    }

    private void WriteRef(string repo, string revision, string commit)
    {
        var path = _cache.RefPath(repo, revision);
        if (_cache.ReadRef(repo, revision) == commit) return;
        Rlvr.Core.IO.AtomicFile.WriteAllText(path, commit);  // no newline, as huggingface_hub writes it
    }

    /// <summary>An exclusive lock on .locks/…/{etag}.lock, held while one process fetches that blob (another waits).</summary>
    private static FileStream AcquireLock(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        for (var attempt = 0; ; attempt++)
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (attempt < 6000) { Thread.Sleep(100); }
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string what, RangeHeaderValue? range,
        CancellationToken cancel, bool sendToken = true, bool allowRedirect = false)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.AcceptEncoding.ParseAdd("identity");
        if (range is not null) request.Headers.Range = range;
        if (sendToken && _settings.Token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _settings.Token);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel);
        }
        catch (HttpRequestException e)
        {
            throw new HubException($"{what}: cannot reach {new Uri(url).GetLeftPart(UriPartial.Authority)} ({e.Message}); check HF_ENDPOINT or the network, or set HF_HUB_OFFLINE=1 to use the cache only");
        }
        var status = (int)response.StatusCode;
        if (status < 300 || (allowRedirect && status < 400)) return response;
        response.Dispose();
        throw new HubException(StatusMessage(what, response));
    }

    /// <summary>One line for a refusal, using the Hub's X-Error-Code where it gives one.</summary>
    private string StatusMessage(string what, HttpResponseMessage response)
    {
        var code = Header(response, "X-Error-Code");
        var token = _settings.Token is null ? "no HF_TOKEN is set" : "the HF_TOKEN given";
        return ((int)response.StatusCode, code) switch
        {
            (_, "GatedRepo") => $"{what}: the model is gated (HTTP {(int)response.StatusCode}): accept its terms on its Hub page, then set HF_TOKEN to a token of that account",
            (401, _) => $"{what}: not found or not allowed (HTTP 401, {token}): check the name, or set HF_TOKEN for a private or gated model",
            (403, _) => $"{what}: access refused (HTTP 403) with {token}: the token lacks read access to this model",
            (404, "RevisionNotFound") => $"{what}: no such revision (HTTP 404): check the part after @",
            (404, "EntryNotFound") => $"{what}: no such file in the revision (HTTP 404)",
            (404, _) => $"{what}: not found on {_settings.Endpoint} (HTTP 404): check the model id",
            var (status, _) => $"{what}: the Hub answered HTTP {status} {response.ReasonPhrase}",
        };
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? values.FirstOrDefault() : null;

    /// <summary>The etag as a file name: without the weak-validator prefix W/ and the quotes.</summary>
    private static string NormalizeEtag(string etag)
    {
        var bare = etag.StartsWith("W/", StringComparison.Ordinal) ? etag[2..] : etag;
        bare = bare.Trim('"');
        if (bare.Length == 0 || bare.IndexOfAny(['/', '\\']) >= 0 || bare is "." or "..")
            throw new HubException($"the server gave the unusable ETag '{etag}'");
        return bare;
    }

    private static bool IsSha256(string etag) => etag.Length == 64 && etag.All(Uri.IsHexDigit);

    private static string EscapePath(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    private static async Task<byte[]> HashAsync(string path, CancellationToken cancel)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferBytes);
        return await SHA256.HashDataAsync(stream, cancel);
    }
}
