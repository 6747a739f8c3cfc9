using Rlvr.Torch.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlvr.Torch.Tests;

/// <summary>The rollout engine against the fixtures' Hugging Face greedy generations, and its stop/sampling rules.</summary>
public class GenerationTests
{
    public static TheoryData<string> Fixtures => ModelFixture.Names;

    private static GenerationOptions Greedy(int maxNew = 20) =>
        new() { MaxNewTokens = maxNew, Sampling = SamplingOptions.GreedyDecoding };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Greedy_generation_matches_transformers_one_prompt_at_a_time(string name)
    {
        var fixture = ModelFixture.Load(name);
        using var model = fixture.LoadModel();
        var engine = new RolloutEngine(model);
        for (var s = 0; s < fixture.Inputs.Length; s++)
        {
            var result = engine.Generate([fixture.Inputs[s]], Greedy());
            var completion = Assert.Single(result.Completions);
            Assert.Equal(fixture.Greedy[s], completion.Tokens);
            Assert.Equal(FinishReason.Length, completion.FinishReason);
        }
    }

    [Fact]
    public void A_prompt_id_outside_the_vocabulary_fails_naming_prompt_position_and_id()
    {
        var fixture = ModelFixture.Load("qwen2-tied");
        using var model = fixture.LoadModel();
        var vocabulary = model.Config.VocabSize;
        var error = Assert.Throws<ArgumentException>(() => new RolloutEngine(model).Generate([[1, 2], [3, vocabulary, 4]], Greedy(maxNew: 2)));
        Assert.Equal($"prompt 1: token id {vocabulary} at position 1 is outside the model's vocabulary (0..{vocabulary - 1}).", error.Message);
        Assert.Throws<ArgumentException>(() => new RolloutEngine(model).Generate([[-1]], Greedy(maxNew: 2)));
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Left_padded_batch_matches_transformers(string name)
    {
        var fixture = ModelFixture.Load(name);
        using var model = fixture.LoadModel();
        var result = new RolloutEngine(model).Generate(fixture.Inputs, Greedy());
        Assert.Equal(fixture.GreedyBatchedLeftPadded, result.Completions.Select(c => c.Tokens).ToArray());
        Assert.Equal([0, 1], result.Completions.Select(c => c.PromptIndex));
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Returned_log_probs_equal_a_full_forward_over_prompt_and_completion(string name)
    {
        // The cached decode path must give the same log-probs as scoring the whole sequence at once
        // (TokenLogProbs is itself checked against transformers in ModelForwardTests).
        var fixture = ModelFixture.Load(name);
        using var model = fixture.LoadModel();
        var result = new RolloutEngine(model).Generate(fixture.Inputs, Greedy());
        using var noGrad = no_grad();
        for (var s = 0; s < fixture.Inputs.Length; s++)
        {
            var completion = result.Completions[s];
            var sequence = fixture.Inputs[s].Concat(completion.Tokens).Select(t => (long)t).ToArray();
            using var ids = tensor(sequence).unsqueeze(0);
            using var targets = tensor(sequence.Skip(1).Append(0L).ToArray()).unsqueeze(0);
            using var all = model.TokenLogProbs(ids, targets);
            var expected = all[0].narrow(0, fixture.Inputs[s].Length - 1, completion.Tokens.Length).data<float>().ToArray();
            var tolerance = fixture.Tolerances(model).LogProbs;  // the cached decode runs other shapes than the full pass
            for (var t = 0; t < expected.Length; t++) Assert.InRange(Math.Abs(completion.LogProbs[t] - expected[t]), 0, tolerance);
        }
    }

    [Fact]
    public void Generation_after_a_weight_change_uses_the_new_weights()
    {
        // Decoding projects q, k and v from a fused copy of their weights; the trainer changes the weights
        // between rollouts, so each call must build that copy afresh. A stale copy would make the second
        // call's log-probs disagree with a model that was loaded with the changed weights and never decoded.
        static void Change(Rlvr.Torch.Models.CausalLanguageModel m)
        {
            using var noGrad = no_grad();
            m.model.layers[0].self_attn.q_proj.weight.mul_(3.0);
            m.model.layers[1].self_attn.v_proj.weight.neg_();
        }
        var fixture = ModelFixture.Load("qwen2-untied");
        using var model = fixture.LoadModel();
        var engine = new RolloutEngine(model);
        engine.Generate(fixture.Inputs, Greedy(maxNew: 4));
        Change(model);
        var completion = engine.Generate([fixture.Inputs[0]], Greedy(maxNew: 6)).Completions[0];

        using var changed = fixture.LoadModel();
        Change(changed);
        using var noGrad = no_grad();
        var sequence = fixture.Inputs[0].Concat(completion.Tokens).Select(t => (long)t).ToArray();
        using var ids = tensor(sequence).unsqueeze(0);
        using var targets = tensor(sequence.Skip(1).Append(0L).ToArray()).unsqueeze(0);
        using var all = changed.TokenLogProbs(ids, targets);
        var expected = all[0].narrow(0, fixture.Inputs[0].Length - 1, completion.Tokens.Length).data<float>().ToArray();
        var tolerance = fixture.Tolerances(changed).LogProbs;  // the cached decode runs other shapes than the full pass
        for (var t = 0; t < expected.Length; t++) Assert.InRange(Math.Abs(completion.LogProbs[t] - expected[t]), 0, tolerance);
    }

    [Fact]
    public void A_model_that_generated_first_still_trains()
    {
        // The trainer's order: rollouts (inference mode), then a differentiable forward on the same model.
        var fixture = ModelFixture.Load("qwen2-untied");
        using var model = fixture.LoadModel();
        var completion = new RolloutEngine(model).Generate([fixture.Inputs[1]], Greedy(maxNew: 4)).Completions[0];
        var sequence = fixture.Inputs[1].Concat(completion.Tokens).Select(t => (long)t).ToArray();
        using var ids = tensor(sequence).unsqueeze(0);
        using var targets = ids.roll(-1, 1);
        using var logProbs = model.TokenLogProbs(ids, targets);
        using var loss = -logProbs.sum();
        loss.backward();
        Assert.NotNull(model.model.layers[0].self_attn.q_proj.weight.grad);
    }

    [Fact]
    public void Samples_of_one_prompt_share_the_prefill_and_repeat_greedy()
    {
        var fixture = ModelFixture.Load("qwen2-untied");
        using var model = fixture.LoadModel();
        var result = new RolloutEngine(model).Generate(fixture.Inputs, Greedy() with { SamplesPerPrompt = 3 });
        Assert.Equal(6, result.Completions.Count);
        for (var c = 0; c < 6; c++)
        {
            Assert.Equal(c / 3, result.Completions[c].PromptIndex);
            Assert.Equal(c % 3, result.Completions[c].SampleIndex);
            Assert.Equal(fixture.Greedy[c / 3], result.Completions[c].Tokens);
        }
    }

    [Fact]
    public void Sampling_with_the_same_seed_repeats_exactly_and_another_seed_differs()
    {
        var fixture = ModelFixture.Load("olmo2");
        using var model = fixture.LoadModel();
        var engine = new RolloutEngine(model);
        var options = new GenerationOptions
        {
            MaxNewTokens = 24,
            SamplesPerPrompt = 4,
            Sampling = new SamplingOptions { Temperature = 1.0, TopP = 0.95, TopK = 100 },
            Seed = 1234,
        };
        var first = engine.Generate(fixture.Inputs, options).Completions;
        var second = engine.Generate(fixture.Inputs, options).Completions;
        var other = engine.Generate(fixture.Inputs, options with { Seed = 99 }).Completions;
        Assert.Equal(first.Select(c => c.Tokens), second.Select(c => c.Tokens));
        Assert.Equal(first.Select(c => c.LogProbs), second.Select(c => c.LogProbs));
        Assert.NotEqual(first.Select(c => c.Tokens), other.Select(c => c.Tokens));
        // 8 completions of 24 tokens from a random model at temperature 1: samples of one prompt differ.
        Assert.NotEqual(first[0].Tokens, first[1].Tokens);
    }

    [Fact]
    public void Top_k_of_one_is_greedy()
    {
        var fixture = ModelFixture.Load("llama3");
        using var model = fixture.LoadModel();
        var options = new GenerationOptions { MaxNewTokens = 20, Sampling = new SamplingOptions { Temperature = 0.7, TopK = 1 }, Seed = 5 };
        var result = new RolloutEngine(model).Generate(fixture.Inputs, options);
        Assert.Equal(fixture.Greedy, result.Completions.Select(c => c.Tokens).ToArray());
    }

    [Fact]
    public void A_tiny_top_p_is_greedy()
    {
        // Top-p keeps at least the most likely token; with p → 0 only that one remains.
        var fixture = ModelFixture.Load("qwen2-tied");
        using var model = fixture.LoadModel();
        var options = new GenerationOptions { MaxNewTokens = 20, Sampling = new SamplingOptions { TopP = 1e-6 }, Seed = 5 };
        var result = new RolloutEngine(model).Generate(fixture.Inputs, options);
        Assert.Equal(fixture.Greedy, result.Completions.Select(c => c.Tokens).ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)] // tokens reach the host every 7 steps: stops are found afterwards and the surplus cut off
    public void Eos_ends_one_completion_while_the_other_runs_on(int hostSyncInterval)
    {
        // EOS = the first token of sequence 1's greedy run that sequence 0 never produces: sequence 1
        // stops right after it (kept), sequence 0 must still produce its full greedy run after the
        // batch was compacted to one row.
        var fixture = ModelFixture.Load("olmo2");
        using var model = fixture.LoadModel();
        var eos = fixture.Greedy[1].First(t => !fixture.Greedy[0].Contains(t));
        var stopAt = Array.IndexOf(fixture.Greedy[1], eos);
        var result = new RolloutEngine(model).Generate(fixture.Inputs, Greedy() with { EosTokenIds = [eos], HostSyncInterval = hostSyncInterval });
        Assert.Equal(fixture.Greedy[0], result.Completions[0].Tokens);
        Assert.Equal(FinishReason.Length, result.Completions[0].FinishReason);
        Assert.Equal(fixture.Greedy[1][..(stopAt + 1)], result.Completions[1].Tokens);
        Assert.Equal(FinishReason.Eos, result.Completions[1].FinishReason);
        Assert.Equal(stopAt + 1, result.Completions[1].LogProbs.Length);
    }

    [Fact]
    public void The_batch_stops_early_once_every_completion_has_finished()
    {
        var fixture = ModelFixture.Load("qwen2-untied");
        using var model = fixture.LoadModel();
        var eos = new[] { fixture.Greedy[0][2], fixture.Greedy[1][3] };
        var result = new RolloutEngine(model).Generate(fixture.Inputs, Greedy(maxNew: 500) with { EosTokenIds = eos });
        Assert.All(result.Completions, c => Assert.Equal(FinishReason.Eos, c.FinishReason));
        Assert.True(result.Stats.DecodeSteps <= 4, $"ran {result.Stats.DecodeSteps} decode steps");
    }

    [Fact]
    public void Stop_strings_end_a_completion_through_the_decode_callback()
    {
        // A made-up detokenizer writes every id as "<id>"; the stop string is the text of greedy tokens 3 and 4.
        var fixture = ModelFixture.Load("llama3");
        using var model = fixture.LoadModel();
        var greedy = fixture.Greedy[1];
        var (a, b) = (greedy[3], greedy[4]);
        var firstPair = Enumerable.Range(0, greedy.Length - 1).First(i => greedy[i] == a && greedy[i + 1] == b);
        var options = Greedy() with
        {
            StopStrings = [$"<{a}><{b}>"],
            Decode = ids => string.Concat(ids.Select(i => $"<{i}>")),
        };
        var completion = new RolloutEngine(model).Generate([fixture.Inputs[1]], options).Completions[0];
        Assert.Equal(FinishReason.Stop, completion.FinishReason);
        Assert.Equal(greedy[..(firstPair + 2)], completion.Tokens);

        var bySequence = new RolloutEngine(model).Generate([fixture.Inputs[1]], Greedy() with { StopTokenSequences = [[a, b]] }).Completions[0];
        Assert.Equal(completion.Tokens, bySequence.Tokens);
        Assert.Equal(FinishReason.Stop, bySequence.FinishReason);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)] // the CUDA default: tokens stay on the device between host reads
    public void Live_tensors_stay_flat_over_a_thousand_decode_steps(int hostSyncInterval)
    {
        var fixture = ModelFixture.Load("qwen2-tied");
        using var model = fixture.LoadModel();
        var engine = new RolloutEngine(model);
        var options = new GenerationOptions { MaxNewTokens = 1001, Sampling = new SamplingOptions { TopP = 0.9 }, Seed = 3, HostSyncInterval = hostSyncInterval };
        // Warm-up: the model keeps one long-lived tensor (its rotary frequency table) from the first forward on.
        engine.Generate([fixture.Inputs[1]], options with { MaxNewTokens = 2 });
        var live = new List<long>();
        engine.StepCompleted += _ => live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var result = engine.Generate([fixture.Inputs[1]], options);
        Assert.Equal(1001, Assert.Single(result.Completions).Tokens.Length);
        Assert.Equal(1000, live.Count);
        Assert.Equal(live[10], live[^1]);
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
