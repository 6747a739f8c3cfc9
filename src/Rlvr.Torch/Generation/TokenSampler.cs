using static TorchSharp.torch;

namespace Rlvr.Torch.Generation;

/// <summary>Chooses next tokens from logits: greedy, or temperature / top-k / top-p sampling with a seeded generator.</summary>
public static class TokenSampler
{
    /// <summary>
    /// Top-p without top-k first tries the most likely <see cref="NucleusCandidates"/> tokens: when they
    /// hold at least the mass p in every row, the nucleus lies inside them and sorting the whole vocabulary
    /// (152k entries for Qwen2.5, the slowest part of a CPU decode step) is unnecessary. Otherwise it sorts
    /// all. CPU only (see <c>NucleusCandidatesOf</c>).
    /// </summary>
    public const int NucleusCandidates = 1024;

    /// <summary>
    /// logits [N, V] → (tokens int64 [N], log-probs float32 [N]). Sampling draws from
    /// <paramref name="generator"/> only (torch.multinomial; null: the device's default generator, which
    /// <see cref="Native.SeededGenerator"/> seeds on CUDA), so a seed repeats exactly. Log-probs are under
    /// the unscaled distribution unless <paramref name="logProbsAtTemperature"/>.
    /// </summary>
    public static (Tensor Tokens, Tensor LogProbs) Next(Tensor logits, SamplingOptions options, Generator? generator, bool logProbsAtTemperature = false)
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
                var (sorted, order) = topK > 0 ? scaled.topk(topK, -1) : NucleusCandidatesOf(scaled, options.TopP);
                if (options.TopP < 1.0)
                {
                    // Probabilities under the temperature-scaled distribution (renormalised over top-k when set).
                    var normaliser = (topK > 0 ? sorted : scaled).logsumexp(-1, keepdim: true);
                    var probs = (sorted - normaliser).exp();
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

    /// <summary>Descending (values, ids): the top candidates when they cover mass p in every row, else the whole sorted vocabulary.</summary>
    private static (Tensor Values, Tensor Order) NucleusCandidatesOf(Tensor scaled, double topP)
    {
        var vocab = scaled.shape[1];
        // The check reads a value on the host; on CUDA that would stall the queue every step, and a
        // full GPU sort is cheap, so the shortcut is for the CPU only.
        if (vocab > NucleusCandidates && scaled.device_type == TorchSharp.DeviceType.CPU)
        {
            var (values, order) = scaled.topk(NucleusCandidates, -1);
            var mass = (values - scaled.logsumexp(-1, keepdim: true)).exp().sum(-1); // [N]
            if (mass.min().item<float>() >= topP) return (values, order);
        }
        return scaled.sort(-1, descending: true);
    }
}
