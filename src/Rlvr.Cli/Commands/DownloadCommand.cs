using System.CommandLine;
using Rlvr.Core.Hub;

namespace Rlvr.Cli.Commands;

/// <summary>
/// `rlvr download org/name[@revision] [--include PATTERN]`: fetches a model from the Hugging Face Hub (or the mirror
/// HF_ENDPOINT names, with HF_TOKEN for gated models) into the local Hub cache that transformers and vLLM share,
/// resuming files an earlier run left incomplete, then prints the snapshot folder.
/// </summary>
public static class DownloadCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "Hub model id: org/name or org/name@revision (branch, tag or commit)" };
        var include = new Option<string[]>("--include")
        {
            Description = "Only files matching this pattern, e.g. '*.json' or '*.safetensors' (repeatable; default: all files)",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("download", "Fetch a model from the Hugging Face Hub into the local Hugging Face cache (resumable).");
        command.Arguments.Add(model);
        command.Options.Add(include);
        command.SetAction(parse =>
        {
            try
            {
                var id = HubModelId.Parse(parse.GetValue(model)!);
                var folder = Fetch(id, parse.GetValue(include) ?? []);
                Console.WriteLine(folder);
                return 0;
            }
            catch (Exception e) when (e is HubException or ArgumentException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return e is ArgumentException ? 2 : 1;
            }
        });
        return command;
    }

    /// <summary>Downloads <paramref name="id"/> into the cache the environment names, progress on stderr.</summary>
    public static string Fetch(HubModelId id, IReadOnlyCollection<string> include)
    {
        var cache = HubCache.FromEnvironment();
        var settings = HubSettings.FromEnvironment();
        if (!settings.Offline) Console.Error.WriteLine($"downloading {id} from {settings.Endpoint} into {cache.Root}");
        using var downloader = new HubDownloader(cache, settings, new DownloadProgress(Console.Error, inPlace: !Console.IsErrorRedirected));
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            return downloader.DownloadAsync(id, include, cancel.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            throw new HubException($"{id}: interrupted; run the same command again to resume");
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>
    /// For <c>--download</c> on the verbs that take a model: fetches the whole revision, or reports why not as the
    /// missing folder those verbs already report in one line.
    /// </summary>
    internal static string FetchForVerb(HubModelId id)
    {
        try
        {
            return Fetch(id, []);
        }
        catch (HubException e)
        {
            throw new DirectoryNotFoundException($"--download {id}: {e.Message}");
        }
    }
}
