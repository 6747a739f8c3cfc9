using System.Text.Json;

namespace Rlvr.Core.Hub;

/// <summary>One file of a repository revision as the Hub lists it; Sha256 and Size are known for LFS files.</summary>
public sealed record HubFile(string Path, long? Size, string? Sha256);

/// <summary>
/// What <c>GET {endpoint}/api/models/{repo}/revision/{revision}</c> says: the commit the revision points at
/// (<c>sha</c>) and the files (<c>siblings[].rfilename</c>, with <c>size</c> and <c>lfs.sha256</c> where given).
/// </summary>
public sealed record HubListing(string Commit, IReadOnlyList<HubFile> Files)
{
    public static HubListing Parse(string json, string source)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var commit = root.TryGetProperty("sha", out var sha) && sha.ValueKind == JsonValueKind.String ? sha.GetString()! : null;
            if (commit is null || !HubModelId.TryParse($"a/b@{commit}", out var asId) || !asId.RevisionIsCommit)
                throw new HubException($"{source}: the answer has no commit hash (\"sha\")");
            var files = new List<HubFile>();
            if (root.TryGetProperty("siblings", out var siblings) && siblings.ValueKind == JsonValueKind.Array)
            {
                foreach (var s in siblings.EnumerateArray())
                {
                    var path = s.GetProperty("rfilename").GetString()!;
                    var lfs = s.TryGetProperty("lfs", out var l) && l.ValueKind == JsonValueKind.Object ? l : (JsonElement?)null;
                    var size = lfs?.TryGetProperty("size", out var ls) == true ? ls.GetInt64()
                        : s.TryGetProperty("size", out var fs) && fs.ValueKind == JsonValueKind.Number ? fs.GetInt64() : (long?)null;
                    var sha256 = lfs?.TryGetProperty("sha256", out var h) == true ? h.GetString() : null;
                    files.Add(new HubFile(path, size, sha256));
                }
            }
            return new HubListing(commit, files);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new HubException($"{source}: not a Hub model listing ({e.Message})");
        }
    }
}
