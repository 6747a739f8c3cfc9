using static TorchSharp.torch;

namespace Rlvr.Torch.Generation;

/// <summary>Chooses next tokens from logits: greedy, or temperature / top-k / top-p sampling with a seeded generator.</summary>
internal static class TokenSampler
{
    /// <summary>
    /// logits [N, V] → (tokens int64 [N], log-probs float32 [N]). Sampling draws from
    /// <paramref name="generator"/> only (torch.multinomial), so a seed repeats exactly.
    /// </summary>
    public static (Tensor Tokens, Tensor LogProbs) Next(Tensor logits, SamplingOptions options, Generator? generator, bool logProbsAtTemperature)
    {
        using var scope = NewDisposeScope();
        var scores = logits.to_type(ScalarType.Float32); // [N, V]
        Tensor tokens;
        if (options.IsGreedy)
        {
            tokens = scores.argmax(-1);
        }
        else
        {
            var scaled = scores / options.Temperature;
            var vocab = scaled.shape[1];
            var topK = options.TopK > 0 && options.TopK < vocab ? options.TopK : 0;
            if (topK == 0 && options.TopP >= 1.0)
            {
                tokens = scaled.softmax(-1).multinomial(1, false, generator).squeeze(-1);
            }
            else
            {
                // Work in descending order, sample a rank, map the rank back to a token id.
                var (sorted, order) = topK > 0 ? scaled.topk(topK, -1) : scaled.sort(-1, descending: true);
                if (options.TopP < 1.0)
                {
                    var probs = sorted.softmax(-1);
                    var massBefore = probs.cumsum(-1) - probs; // mass of strictly more likely tokens
                    sorted = sorted.masked_fill(massBefore >= options.TopP, double.NegativeInfinity);
                }
                var rank = sorted.softmax(-1).multinomial(1, false, generator); // [N, 1]
                tokens = order.gather(-1, rank).squeeze(-1);
            }
            if (logProbsAtTemperature) scores = scaled;
        }
        var chosen = scores.gather(-1, tokens.unsqueeze(-1)).squeeze(-1);
        var logProbs = chosen - scores.logsumexp(-1);
        return (tokens.MoveToOuterDisposeScope(), logProbs.MoveToOuterDisposeScope());
    }
}
