using Rlvr.Torch.Models;
using static TorchSharp.torch;

namespace Rlvr.Torch.Tests;

/// <summary>The forward pass against Hugging Face transformers' own outputs (tests/fixtures/README.md).</summary>
public class ModelForwardTests
{
    public static TheoryData<string> Fixtures => ModelFixture.Names;

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Logits_match_transformers_in_fp32(string name)
    {
        var fixture = ModelFixture.Load(name);
        using var model = fixture.LoadModel();
        var tolerance = fixture.Tolerances(model);
        Assert.Equal(fixture.Architecture, ModelArchitectures.HfName(model.Config.Architecture));
        using var noGrad = no_grad();
        for (var s = 0; s < fixture.Inputs.Length; s++)
        {
            using var ids = tensor(fixture.Inputs[s].Select(i => (long)i).ToArray()).unsqueeze(0);
            using var logits = model.Logits(ids);
            Assert.Equal([1, fixture.Inputs[s].Length, model.Config.VocabSize], logits.shape);
            using var row = logits[0];
            Assert.InRange(fixture.MaxLogitError(row, s), 0, tolerance.Logits);
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Left_padded_batch_gives_the_unpadded_logits(string name)
    {
        // Both sequences in one batch, the shorter one left-padded with id 0 and masked: every real
        // position must still give the reference logits (positions come from the mask).
        var fixture = ModelFixture.Load(name);
        using var model = fixture.LoadModel();
        var tolerance = fixture.Tolerances(model);
        using var noGrad = no_grad();
        var (ids, mask) = LeftPad(fixture.Inputs);
        using (ids)
        using (mask)
        using (var logits = model.Logits(ids, mask))
        {
            var width = ids.shape[1];
            for (var s = 0; s < fixture.Inputs.Length; s++)
            {
                var length = fixture.Inputs[s].Length;
                using var real = logits[s].narrow(0, width - length, length);
                Assert.InRange(fixture.MaxLogitError(real, s), 0, tolerance.Logits);
                using var finite = logits[s].isfinite().all();
                Assert.True(finite.item<bool>(), "padding rows must not produce NaN or infinity");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Right_padded_batch_gives_the_unpadded_logits(string name)
    {
        // The shorter sequence padded at the end (the mask-free causal path): real positions are unchanged.
        var fixture = ModelFixture.Load(name);
        using var model = fixture.LoadModel();
        var tolerance = fixture.Tolerances(model);
        using var noGrad = no_grad();
        var (ids, mask) = Pad(fixture.Inputs, left: false);
        using (ids)
        using (mask)
        using (var logits = model.Logits(ids, mask))
        {
            for (var s = 0; s < fixture.Inputs.Length; s++)
            {
                using var real = logits[s].narrow(0, 0, fixture.Inputs[s].Length);
                Assert.InRange(fixture.MaxLogitError(real, s), 0, tolerance.Logits);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Token_log_probs_match_transformers(string name)
    {
        var fixture = ModelFixture.Load(name);
        using var model = fixture.LoadModel();
        var tolerance = fixture.Tolerances(model);
        using var noGrad = no_grad();
        for (var s = 0; s < fixture.Inputs.Length; s++)
        {
            var input = fixture.Inputs[s].Select(i => (long)i).ToArray();
            using var ids = tensor(input).unsqueeze(0);
            // Target at position t is the token at t + 1; the last position has none (any id will do).
            using var targets = tensor(input.Skip(1).Append(0L).ToArray()).unsqueeze(0);
            // A small chunk size so that the chunked path is exercised.
            using var logProbs = model.TokenLogProbs(ids, targets, maxLogitElements: 3 * 384);
            var actual = logProbs[0].narrow(0, 0, input.Length - 1).data<float>().ToArray();
            var expected = fixture.InputLogProbs[s];
            Assert.Equal(expected.Length, actual.Length);
            for (var t = 0; t < expected.Length; t++) Assert.InRange(Math.Abs(actual[t] - expected[t]), 0, tolerance.LogProbs);
        }
    }

    [Fact]
    public void Gradients_flow_through_token_log_probs()
    {
        // The trainer differentiates TokenLogProbs: every parameter must receive a finite gradient.
        using var model = ModelFixture.Load("olmo2").LoadModel();
        var (ids, mask) = LeftPad([[5, 17, 42, 99], [9, 200]]);
        using (ids)
        using (mask)
        using (var targets = ids.roll(-1, 1))
        using (var logProbs = model.TokenLogProbs(ids, targets, mask))
        using (var loss = -(logProbs * mask).sum())
        {
            loss.backward();
        }
        foreach (var (parameterName, parameter) in model.named_parameters())
        {
            Assert.NotNull(parameter.grad);
            using var finite = parameter.grad!.isfinite().all();
            Assert.True(finite.item<bool>(), parameterName);
            using var norm = parameter.grad.abs().sum();
            Assert.True(norm.item<float>() > 0, $"{parameterName} got no gradient");
        }
    }

    internal static (Tensor Ids, Tensor Mask) LeftPad(int[][] sequences) => Pad(sequences, left: true);

    /// <summary>Sequences padded with id 0 to one width, on the left or the right, with their [B, T] mask.</summary>
    internal static (Tensor Ids, Tensor Mask) Pad(int[][] sequences, bool left)
    {
        var width = sequences.Max(s => s.Length);
        var ids = new long[sequences.Length * width];
        var mask = new long[sequences.Length * width];
        for (var s = 0; s < sequences.Length; s++)
        {
            var pad = left ? width - sequences[s].Length : 0;
            for (var t = 0; t < sequences[s].Length; t++)
            {
                ids[s * width + pad + t] = sequences[s][t];
                mask[s * width + pad + t] = 1;
            }
        }
        return (tensor(ids).view(sequences.Length, width), tensor(mask).view(sequences.Length, width));
    }
}

/// <summary>bfloat16 (the GPU dtype) exercised on the CPU with the tiny fixtures: the casts in norms, rotary and sampling.</summary>
public class BFloat16ForwardTests
{
    public static TheoryData<string> Fixtures => ModelFixture.Names;

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Bfloat16_logits_stay_close_to_the_float32_reference(string name)
    {
        var fixture = ModelFixture.Load(name);
        using var model = Rlvr.Torch.Checkpoints.CheckpointLoader.Load(fixture.Directory, new Placement(CPU, ScalarType.BFloat16));
        Assert.Equal(ScalarType.BFloat16, model.model.embed_tokens.weight.dtype);
        using var noGrad = no_grad();
        var (ids, mask) = ModelForwardTests.LeftPad(fixture.Inputs);
        using (ids)
        using (mask)
        using (var logits = model.Logits(ids, mask))
        {
            Assert.Equal(ScalarType.BFloat16, logits.dtype);
            var width = ids.shape[1];
            for (var s = 0; s < fixture.Inputs.Length; s++)
            {
                var length = fixture.Inputs[s].Length;
                using var real = logits[s].narrow(0, width - length, length);
                // bf16 keeps 8 significant bits: errors of a few hundredths on logits of size ~1-5.
                Assert.InRange(fixture.MaxLogitError(real, s), 0, 0.1);
            }
        }
        // The sampler and the bf16 KV cache run too (left-padded batch, two samples per prompt).
        var options = new Rlvr.Torch.Generation.GenerationOptions
        {
            MaxNewTokens = 6, SamplesPerPrompt = 2, Seed = 1,
            Sampling = new Rlvr.Torch.Generation.SamplingOptions { Temperature = 0.7, TopP = 0.9 },
        };
        var result = new Rlvr.Torch.Generation.RolloutEngine(model).Generate(fixture.Inputs, options);
        Assert.All(result.Completions, c => Assert.Equal(6, c.Tokens.Length));
        Assert.All(result.Completions, c => Assert.All(c.LogProbs, l => Assert.True(float.IsFinite(l) && l <= 0)));
    }
}

/// <summary>Gradient checkpointing must give the gradients of the plain backward.</summary>
public class GradientCheckpointingTests
{
    [Theory]
    [InlineData("olmo2")]
    [InlineData("qwen2-tied")]
    public void Checkpointed_gradients_equal_the_plain_ones(string name)
    {
        var fixture = ModelFixture.Load(name);
        Tensor LogProbs(CausalLanguageModel model, Tensor ids, Tensor targets, Tensor mask) => model.TokenLogProbs(ids, targets, mask);
        var plain = FixtureGradients.Of(fixture, LogProbs, mask => mask.to_type(ScalarType.Float32), checkpointing: false);
        var checkpointed = FixtureGradients.Of(fixture, LogProbs, mask => mask.to_type(ScalarType.Float32), checkpointing: true);
        FixtureGradients.AssertClose(plain, checkpointed);
    }
}

/// <summary>The chunked log-prob function's backward against autograd through full logits.</summary>
public class ChunkedLogProbGradientTests
{
    [Theory]
    [InlineData("qwen2-tied")]   // the head is the embedding: both gradient paths meet in one parameter
    [InlineData("qwen2-untied")]
    public void Chunked_gradients_equal_autograd_through_full_logits(string name)
    {
        var fixture = ModelFixture.Load(name);
        // Unequal weights per position, so that a gradient landing on the wrong position would show.
        static Tensor PositionWeights(Tensor mask) => arange(mask.shape[1], ScalarType.Float32).unsqueeze(0) * mask;
        var chunked = FixtureGradients.Of(fixture,
            (model, ids, targets, mask) => model.TokenLogProbs(ids, targets, mask, maxLogitElements: 2 * 5 * 384), PositionWeights);
        var full = FixtureGradients.Of(fixture, (model, ids, targets, mask) =>
        {
            // Plain autograd: full logits, log_softmax, gather.
            using var logits = model.Logits(ids, mask).to_type(ScalarType.Float32);
            using var logSoftmax = logits.log_softmax(-1);
            return logSoftmax.gather(-1, targets.unsqueeze(-1)).squeeze(-1);
        }, PositionWeights);
        FixtureGradients.AssertClose(full, chunked);
    }
}

/// <summary>Every parameter's gradient after one backward through a fixture model, and their comparison.</summary>
internal static class FixtureGradients
{
    /// <summary>
    /// Gradients of −Σ weights(mask) · logProbs over the fixture's inputs (left-padded, targets = next ids),
    /// with the log-probs computed by <paramref name="logProbsOf"/>.
    /// </summary>
    public static Dictionary<string, float[]> Of(ModelFixture fixture,
        Func<CausalLanguageModel, Tensor, Tensor, Tensor, Tensor> logProbsOf, Func<Tensor, Tensor> weightsOf, bool checkpointing = false)
    {
        using var model = fixture.LoadModel();
        model.GradientCheckpointing = checkpointing;
        var (ids, mask) = ModelForwardTests.LeftPad(fixture.Inputs);
        using (ids)
        using (mask)
        using (var targets = ids.roll(-1, 1))
        using (var logProbs = logProbsOf(model, ids, targets, mask))
        using (var weights = weightsOf(mask))
        using (var loss = -(logProbs * weights).sum())
        {
            loss.backward();
        }
        return model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.data<float>().ToArray());
    }

    /// <summary>Same parameters, each gradient nonzero and within 1e-5 of its largest entry (plus 1e-7).</summary>
    public static void AssertClose(Dictionary<string, float[]> expected, Dictionary<string, float[]> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (parameter, values) in expected)
        {
            var scale = values.Max(Math.Abs);
            Assert.True(scale > 0, $"{parameter} got no gradient");
            for (var i = 0; i < values.Length; i++)
                Assert.True(Math.Abs(values[i] - actual[parameter][i]) <= 1e-5 * scale + 1e-7, $"{parameter}[{i}]: {values[i]} vs {actual[parameter][i]}");
        }
    }
}
