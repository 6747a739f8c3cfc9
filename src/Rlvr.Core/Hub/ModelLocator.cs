namespace Rlvr.Core.Hub;

/// <summary>A model the user named, found on disk: the folder to load and the name to show and put in file names.</summary>
/// <param name="Folder">A folder with config.json and the weights (for a Hub id, its cache snapshot).</param>
/// <param name="Name">The folder's own name, or for a Hub id the model's name (Qwen2.5-Math-7B), as upstream named outputs.</param>
/// <param name="HubId">The Hub id when the model came from the cache.</param>
public sealed record LocatedModel(string Folder, string Name, HubModelId? HubId);

/// <summary>
/// Turns what a user gave as <c>--model</c> into a folder: a local folder wins; otherwise a Hub id (org/name[@revision])
/// is looked up in the Hugging Face cache and, only when asked (<c>download</c>), fetched into it.
/// </summary>
public static class ModelLocator
{
    /// <summary>The command that fetches an id, named in the error when it is not cached.</summary>
    public static string DownloadCommand(HubModelId id) => $"rlvr download {id}";

    /// <summary>
    /// Finds <paramref name="model"/>; throws a one-line <see cref="DirectoryNotFoundException"/> when it is neither a
    /// folder nor a cached id. <paramref name="download"/>, when given, fetches a missing id and returns its snapshot.
    /// </summary>
    public static LocatedModel Locate(string model, HubCache? cache = null, Func<HubModelId, string>? download = null, string option = "--model")
    {
        if (Directory.Exists(model))
            return new LocatedModel(model, Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(model))), null);
        if (!HubModelId.TryParse(model, out var id))
            throw new DirectoryNotFoundException($"{option} {model}: no such folder (a Hub model is named org/name or org/name@revision)");
        cache ??= HubCache.FromEnvironment();
        var snapshot = cache.FindSnapshot(id) ?? download?.Invoke(id)
            ?? throw new DirectoryNotFoundException(
                $"{option} {model}: not a folder, and not in the Hugging Face cache {cache.Root}; fetch it with `{DownloadCommand(id)}` (or add --download)");
        return new LocatedModel(snapshot, id.Name, id);
    }
}
