using Rlvr.Torch.Generation;
using static TorchSharp.torch;

namespace Rlvr.Torch.Tests;

/// <summary>The sampler's filters, checked against nuclei and top-k sets computed here in plain C#.</summary>
public class TokenSamplerTests
{
    /// <summary>The token ids of the smallest set of most likely tokens whose probability reaches p (plain C#).</summary>
    private static HashSet<long> Nucleus(float[] logits, double temperature, double p)
    {
        var scaled = logits.Select(l => l / temperature).ToArray();
        var max = scaled.Max();
        var weights = scaled.Select(s => Math.Exp(s - max)).ToArray();
        var total = weights.Sum();
        var order = Enumerable.Range(0, logits.Length).OrderByDescending(i => weights[i]).ToArray();
        var kept = new HashSet<long>();
        double mass = 0;
        foreach (var i in order)
        {
            if (mass >= p) break;
            kept.Add(i);
            mass += weights[i] / total;
        }
        return kept;
    }

    [Theory]
    [InlineData(3.0, 0.9)]   // peaked rows: the nucleus lies within the first 1024 candidates
    [InlineData(0.05, 0.9)]  // nearly flat rows over 5000 tokens: the nucleus needs the full sort
    public void Top_p_samples_only_from_the_nucleus(double logitScale, double topP)
    {
        using var generator = new Generator(11, CPU);
        using var logits = randn([4, 5000], generator: generator) * logitScale;
        var rows = Enumerable.Range(0, 4).Select(r => logits[r].data<float>().ToArray()).ToArray();
        var nuclei = rows.Select(r => Nucleus(r, 0.8, topP)).ToArray();
        if (logitScale < 1) Assert.All(nuclei, n => Assert.True(n.Count > TokenSampler.NucleusCandidates));
        var options = new SamplingOptions { Temperature = 0.8, TopP = topP };
        var seen = new HashSet<long>[4].Select(_ => new HashSet<long>()).ToArray();
        for (var draw = 0; draw < 200; draw++)
        {
            var (tokens, _) = TokenSampler.Next(logits, options, generator);
            using (tokens)
            {
                var ids = tokens.data<long>().ToArray();
                for (var r = 0; r < 4; r++)
                {
                    Assert.Contains(ids[r], nuclei[r]);
                    seen[r].Add(ids[r]);
                }
            }
        }
        // Sampling, not argmax: several distinct tokens per row.
        Assert.All(seen, s => Assert.True(s.Count > 5));
    }

    [Fact]
    public void Top_k_samples_only_from_the_k_most_likely_tokens()
    {
        using var generator = new Generator(3, CPU);
        using var logits = randn([2, 300], generator: generator);
        var rows = Enumerable.Range(0, 2).Select(r => logits[r].data<float>().ToArray()).ToArray();
        var allowed = rows.Select(r => Enumerable.Range(0, 300).OrderByDescending(i => r[i]).Take(5).Select(i => (long)i).ToHashSet()).ToArray();
        var options = new SamplingOptions { Temperature = 2.0, TopK = 5 };
        var seen = new HashSet<long>();
        for (var draw = 0; draw < 100; draw++)
        {
            var (tokens, _) = TokenSampler.Next(logits, options, generator);
            using (tokens)
            {
                var ids = tokens.data<long>().ToArray();
                Assert.Contains(ids[0], allowed[0]);
                Assert.Contains(ids[1], allowed[1]);
                seen.Add(ids[0]);
            }
        }
        Assert.Equal(5, seen.Count);
    }

    [Fact]
    public void Log_probs_are_those_of_the_unscaled_distribution_by_default()
    {
        var row = new float[] { 2f, 1f, 0f, -1f };
        using var logits = tensor(row).unsqueeze(0);
        var (tokens, logProbs) = TokenSampler.Next(logits, SamplingOptions.GreedyDecoding, null);
        using (tokens)
        using (logProbs)
        {
            Assert.Equal(0L, tokens.item<long>());
            // log softmax of 2 among {2, 1, 0, -1}, by hand.
            var expected = 2 - Math.Log(Math.Exp(2) + Math.Exp(1) + Math.Exp(0) + Math.Exp(-1));
            Assert.Equal(expected, logProbs.item<float>(), 5);
        }
        using var generator = new Generator(1, CPU);
        var (sampled, scaledLogProbs) = TokenSampler.Next(logits, new SamplingOptions { Temperature = 0.5 }, generator, logProbsAtTemperature: true);
        using (sampled)
        using (scaledLogProbs)
        {
            var id = (int)sampled.item<long>();
            var scaled = row.Select(l => l / 0.5).ToArray();
            var expected = scaled[id] - Math.Log(scaled.Sum(Math.Exp));
            Assert.Equal(expected, scaledLogProbs.item<float>(), 5);
        }
    }
}
