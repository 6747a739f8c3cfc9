namespace Rlvr.Core.Evaluation;

/// <summary>One graded sample of one problem.</summary>
/// <param name="Response">The generated text (after any forced response prefix; stop string included).</param>
/// <param name="Extracted">The answer the grader extracted, or null.</param>
/// <param name="Correct">The grader's verdict against the label.</param>
/// <param name="HasCode">The paper's code-reasoning flag (<see cref="CodeReasoning.HasCode"/>).</param>
/// <param name="PromptTokens">Tokens of the prompt.</param>
/// <param name="CompletionTokens">Tokens generated.</param>
/// <param name="Finish">Stop (EOS or stop string) or Length (hit max new tokens).</param>
/// <param name="GradeTimedOut">The grader ran out of time (then Correct is false).</param>
public sealed record SampleOutcome(string Response, string? Extracted, bool Correct, bool HasCode, int PromptTokens,
    int CompletionTokens, FinishReason Finish, bool GradeTimedOut = false);

/// <summary>One problem with all its samples.</summary>
/// <param name="Index">Position in the dataset (0-based).</param>
/// <param name="Id">The dataset row's id.</param>
/// <param name="Problem">The raw problem text.</param>
/// <param name="Label">The gold answer.</param>
/// <param name="Samples">Its graded samples, in sample order.</param>
public sealed record ProblemOutcome(int Index, string Id, string Problem, string Label, IReadOnlyList<SampleOutcome> Samples)
{
    public int CorrectCount => Samples.Count(s => s.Correct);
}

/// <summary>The settings a dataset was evaluated with (written into each result file; a resumed run must match).</summary>
public sealed record EvalRunInfo(
    string Model,
    string Dataset,
    string Grader,
    string Template,
    int Samples,
    double Temperature,
    double TopP,
    int MaxNewTokens,
    int Shards,
    long Seed,
    string ProblemPrefix,
    string ProblemSuffix,
    string ResponsePrefix,
    IReadOnlyList<string> StopStrings)
{
    /// <summary>Whether two runs would generate the same samples (everything but the model path's spelling).</summary>
    public bool SameSettingsAs(EvalRunInfo other) =>
        Model == other.Model && Dataset == other.Dataset && Grader == other.Grader && Template == other.Template &&
        Samples == other.Samples && Temperature.Equals(other.Temperature) && TopP.Equals(other.TopP) &&
        MaxNewTokens == other.MaxNewTokens && Shards == other.Shards && Seed == other.Seed &&
        ProblemPrefix == other.ProblemPrefix && ProblemSuffix == other.ProblemSuffix &&
        ResponsePrefix == other.ResponsePrefix && (StopStrings ?? []).SequenceEqual(other.StopStrings ?? []);
}

/// <summary>Metrics of one dataset.</summary>
/// <param name="Problems">Number of problems.</param>
/// <param name="SamplesPerProblem">k: samples per problem.</param>
/// <param name="AvgAtK">avg@k: mean correctness over all samples (the paper's headline; pass@1 for MATH-500).</param>
/// <param name="PassAtK">pass@k by k (unbiased estimator), for k = 1, 2, 4, ..., k.</param>
/// <param name="CodeFrequency">Share of samples with code reasoning.</param>
/// <param name="AccuracyWithCode">Accuracy of the samples with code reasoning (null when there are none).</param>
/// <param name="AccuracyWithoutCode">Accuracy of the samples without it (null when there are none).</param>
/// <param name="MeanCompletionTokens">Mean generated tokens per sample.</param>
/// <param name="TruncatedFraction">Share of samples that hit the max-new-tokens limit.</param>
public sealed record DatasetMetrics(
    int Problems,
    int SamplesPerProblem,
    double AvgAtK,
    IReadOnlyDictionary<int, double> PassAtK,
    double CodeFrequency,
    double? AccuracyWithCode,
    double? AccuracyWithoutCode,
    double MeanCompletionTokens,
    double TruncatedFraction)
{
    /// <summary>pass@k at k = samples per problem.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public double PassAtKMax => PassAtK[SamplesPerProblem];
}

/// <summary>The content of `{out}/{model}_{dataset}.json`.</summary>
public sealed record EvalResult(EvalRunInfo Run, DatasetMetrics Metrics, IReadOnlyList<ProblemOutcome> Problems);
