using System.Text.Json;
using Rlvr.Tests;
using Rlvr.Torch.Checkpoints;
using Rlvr.Torch.Models;
using static TorchSharp.torch;

namespace Rlvr.Torch.Tests;

/// <summary>One of the four Hugging Face reference fixtures (tests/fixtures/&lt;name&gt;/reference.json).</summary>
internal sealed class ModelFixture
{
    public static readonly TheoryData<string> Names = new() { "qwen2-tied", "qwen2-untied", "llama3", "olmo2" };

    public required string Name { get; init; }
    public required string Directory { get; init; }
    public required string Architecture { get; init; }
    public required int[][] Inputs { get; init; }
    public required float[][][] Logits { get; init; }
    public required float[][] InputLogProbs { get; init; }
    public required int[][] Greedy { get; init; }
    public required int[][] GreedyBatchedLeftPadded { get; init; }

    public static ModelFixture Load(string name)
    {
        var directory = RepoPaths.Fixtures(name);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "reference.json")));
        var root = json.RootElement;
        return new ModelFixture
        {
            Name = name,
            Directory = directory,
            Architecture = root.GetProperty("architecture").GetString()!,
            Inputs = root.GetProperty("inputs").Deserialize<int[][]>()!,
            Logits = root.GetProperty("logits").Deserialize<float[][][]>()!,
            InputLogProbs = root.GetProperty("input_logprobs").Deserialize<float[][]>()!,
            Greedy = root.GetProperty("greedy").Deserialize<int[][]>()!,
            GreedyBatchedLeftPadded = root.GetProperty("greedy_batched_left_padded").Deserialize<int[][]>()!,
        };
    }

    public CausalLanguageModel LoadModel() => CheckpointLoader.Load(Directory, Placement.Cpu);

    /// <summary>
    /// How far the model's logits may lie from transformers' (another float32 implementation: other kernels, other
    /// summation orders) by the arithmetic: <see cref="RoundingBound.ForwardPass"/> over the fixture's longest
    /// input, plus the reference's own rounding to float32 in reference.json (u·|z|). For log-probs (logit minus
    /// logsumexp, which moves by at most as much) twice that, plus the V-term logsumexp's own γ_V.
    /// </summary>
    public (double Logits, double LogProbs) Tolerances(CausalLanguageModel model)
    {
        using var noGrad = no_grad();
        double head = 0;
        foreach (var input in Inputs)
        {
            using var ids = tensor(input.Select(i => (long)i).ToArray()).unsqueeze(0);
            using var hidden = model.HiddenStates(ids);
            using var magnitudes = nn.functional.linear(hidden.abs(), model.HeadWeight.abs());
            head = Math.Max(head, magnitudes.max().item<float>());
        }
        var logits = RoundingBound.ForwardPass(model.Config, Inputs.Max(i => i.Length), head) + RoundingBound.U * head;
        var logProbs = 2 * logits + 2 * RoundingBound.Gamma(model.Config.VocabSize);
        Assert.True(logProbs < 1e-2, $"{Name}: tolerances {logits:R}, {logProbs:R} too loose to test anything");
        return (logits, logProbs);
    }

    /// <summary>Largest |a − b| between a model output [T, V] and the reference rows of sequence <paramref name="sequence"/>.</summary>
    public double MaxLogitError(Tensor logits, int sequence)
    {
        using var reference = tensor(Logits[sequence].SelectMany(r => r).ToArray()).view(Logits[sequence].Length, -1);
        using var diff = (logits.to_type(ScalarType.Float32) - reference).abs().max();
        return diff.item<float>();
    }

    /// <summary>Runs sequence <paramref name="sequence"/> alone through <paramref name="model"/> (no gradients)
    /// and returns the largest |logit − reference|.</summary>
    public double MaxLogitError(CausalLanguageModel model, int sequence)
    {
        using var noGrad = no_grad();
        using var ids = tensor(Inputs[sequence].Select(i => (long)i).ToArray()).unsqueeze(0);
        using var logits = model.Logits(ids);
        using var row = logits[0];
        return MaxLogitError(row, sequence);
    }
}
