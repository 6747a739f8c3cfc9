using System.CommandLine;
using Rlvr.Core.Hub;

namespace Rlvr.Cli.Commands;

/// <summary>
/// What every verb that takes a model shares: <c>--model</c> is a local folder or a Hugging Face Hub id
/// (org/name[@revision]) found in the local Hub cache; <c>--download</c> lets a missing id be fetched first.
/// </summary>
internal static class ModelArgument
{
    public const string Description = "Hugging Face model: a local folder (config.json, safetensors, tokenizer.json) or a Hub id org/name[@revision] in the local Hugging Face cache";

    /// <summary>The <c>--download</c> flag: nothing is fetched unless it is given.</summary>
    public static Option<bool> CreateDownloadOption() =>
        new("--download") { Description = "Fetch a Hub id that is not in the local cache yet (as `rlvr download` does) before starting" };

    /// <summary>The folder for <paramref name="model"/>; a one-line <see cref="DirectoryNotFoundException"/> when there is none.</summary>
    public static LocatedModel Locate(string model, bool download, string option = "--model") =>
        ModelLocator.Locate(model, download: download ? DownloadCommand.FetchForVerb : null, option: option);
}
