using Rlvr.Core.Templates;

namespace Rlvr.Core.Evaluation;

/// <summary>Settings shared by every dataset of one `rlvr eval` run.</summary>
/// <param name="Model">The model's name in file names (upstream: the basename of the model path).</param>
/// <param name="OutputDir">Where `{model}_{dataset}.json`, the journals and summary.json go.</param>
/// <param name="Grader">The grader's name, recorded in the files (paper or verify).</param>
/// <param name="Template">Renders a problem into the model's prompt; its stop strings end generation.</param>
/// <param name="MaxNewTokens">Generation limit per sample (paper: 3,072).</param>
/// <param name="Shards">The problems are cut into this many contiguous shards, each generated separately
/// (upstream `--shards`, which reproduced the batch composition of its vLLM engines).</param>
/// <param name="BatchSequences">Sequences per generation call within a shard (0: the whole shard in one call, as
/// upstream; a smaller cap bounds memory and the work an interruption loses); a problem's samples always stay in one call.</param>
/// <param name="TopP">Nucleus sampling (paper: 1.0).</param>
/// <param name="Seed">Every batch's sampling seed derives from this, the dataset and the batch's position.</param>
/// <param name="ProblemPrefix">Text put before the problem inside the template.</param>
/// <param name="ProblemSuffix">Text put after the problem inside the template.</param>
/// <param name="ResponsePrefix">Text appended after the rendered prompt, so the response starts with it
/// (the paper's Table 3 forces "Let's solve this using Python."); it is not part of the recorded response.</param>
/// <param name="ModelPath">The model folder as given, for the upstream-format file's "model" (null: <paramref name="Model"/>).</param>
/// <param name="Device">What generated, for the upstream-format file's "gpu_type" (cpu, cuda:0, ...).</param>
public sealed record EvalSettings(
    string Model,
    string OutputDir,
    string Grader,
    IPromptTemplate Template,
    int MaxNewTokens = EvalDefaults.MaxNewTokens,
    int Shards = EvalDefaults.Shards,
    int BatchSequences = 0,
    double TopP = EvalDefaults.TopP,
    long Seed = 0,
    string ProblemPrefix = "",
    string ProblemSuffix = "",
    string ResponsePrefix = "",
    string? ModelPath = null,
    string Device = "cpu")
{
    /// <summary>The final result file of a dataset.</summary>
    public string ResultPath(string dataset) => Path.Combine(OutputDir, ResultFileName(Model, dataset));

    /// <summary>`{model}_{dataset}.json`, with characters that cannot be in a file name replaced by '_'.</summary>
    public static string ResultFileName(string model, string dataset) => $"{FileSafe(model)}_{FileSafe(dataset)}.json";

    /// <summary>The append-only journal of a dataset in progress.</summary>
    public string JournalPath(string dataset) => Path.Combine(OutputDir, $"{FileSafe(Model)}_{FileSafe(dataset)}.partial.jsonl");

    /// <summary>The prompt text for one problem.</summary>
    public string Prompt(string problem) => Template.Render(ProblemPrefix + problem + ProblemSuffix) + ResponsePrefix;

    private static string FileSafe(string name)
    {
        var invalid = Path.GetInvalidFileNameChars();
        return new string(name.Select(c => invalid.Contains(c) ? '_' : c).ToArray());
    }
}

/// <summary>Progress of one dataset: problems done out of all, of which this many were resumed from the journal.</summary>
public sealed record EvalProgress(string Dataset, int Done, int Total, int Resumed);
