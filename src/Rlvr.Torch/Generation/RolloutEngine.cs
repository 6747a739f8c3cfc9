using System.Diagnostics;
using Rlvr.Torch.Models;
using static TorchSharp.torch;

namespace Rlvr.Torch.Generation;

/// <summary>
/// Batched generation with a preallocated KV cache: one prefill of all (left-padded) prompts, the cache
/// rows copied for n samples per prompt, then one forward per new token for the whole batch.
/// </summary>
/// <remarks>
/// Per decode step: one dispose scope; the logits of the last position only; one device→host copy of the
/// chosen tokens and their log-probs (stop checks run on the host, where stop strings need the
/// tokenizer). Finished rows keep running until few are left, then the cache is compacted to the running
/// rows. The loop ends when every completion has finished.
/// </remarks>
public sealed class RolloutEngine
{
    private readonly CausalLanguageModel _model;

    public RolloutEngine(CausalLanguageModel model) => _model = model;

    /// <summary>Called after every decode step with its index (diagnostics, leak tests).</summary>
    public event Action<int>? StepCompleted;

    /// <summary>Generates for <paramref name="prompts"/> (token ids, any lengths ≥ 1).</summary>
    public GenerationResult Generate(IReadOnlyList<int[]> prompts, GenerationOptions options)
    {
        options.Validate();
        if (prompts.Count == 0) return new GenerationResult([], new GenerationStats(0, 0, 0, TimeSpan.Zero, TimeSpan.Zero));
        for (var p = 0; p < prompts.Count; p++)
            if (prompts[p].Length == 0) throw new ArgumentException($"prompt {p} is empty.");

        var device = _model.Placement.Device;
        var samples = options.SamplesPerPrompt;
        var total = prompts.Count * samples;
        var width = prompts.Max(p => p.Length);
        var tokens = Enumerable.Range(0, total).Select(_ => new List<int>()).ToArray();
        var logProbs = Enumerable.Range(0, total).Select(_ => new List<float>()).ToArray();
        var reasons = new FinishReason?[total];
        var matcher = new StopMatcher(options);

        using var noGrad = no_grad();
        using var generator = options.Sampling.IsGreedy ? null : new Generator((ulong)options.Seed, device);
        using var cache = new KvCache(_model.Config, _model.Placement, prompts.Count, width + options.MaxNewTokens);
        var clock = Stopwatch.StartNew();
        Tensor logits = Prefill(prompts, width, options.PadTokenId, cache, samples); // [rows, V]
        if (device.type == TorchSharp.DeviceType.CUDA) cuda.synchronize(device);
        var prefillTime = clock.Elapsed;

        // rowOf[r]: the completion index that cache row r serves.
        var rowOf = Enumerable.Range(0, total).ToArray();
        var steps = 0;
        try
        {
            for (var step = 0; step < options.MaxNewTokens; step++)
            {
                using var scope = NewDisposeScope();
                var (next, nextLogProbs) = TokenSampler.Next(logits, options.Sampling, generator, options.LogProbsAtSamplingTemperature);
                // One host copy per step: token ids are exact in float64.
                var host = stack([next.to_type(ScalarType.Float64), nextLogProbs.to_type(ScalarType.Float64)]).cpu().data<double>().ToArray();
                var rows = rowOf.Length;
                var running = new List<int>(rows);
                for (var r = 0; r < rows; r++)
                {
                    var c = rowOf[r];
                    if (reasons[c] is not null) continue;
                    tokens[c].Add((int)host[r]);
                    logProbs[c].Add((float)host[rows + r]);
                    reasons[c] = matcher.Check(tokens[c], options.MaxNewTokens);
                    if (reasons[c] is null) running.Add(r);
                }
                if (running.Count == 0) break;

                var input = next;
                if (running.Count <= rows * options.CompactBelowActiveFraction)
                {
                    var keep = tensor(running.Select(r => (long)r).ToArray(), device: device);
                    cache.SelectRows(keep);
                    input = next.index_select(0, keep);
                    rowOf = running.Select(r => rowOf[r]).ToArray();
                }
                var nextLogits = _model.LastLogits(input.unsqueeze(1), null, cache);
                logits.Dispose();
                logits = nextLogits.DetachFromDisposeScope();
                steps++;
                StepCompleted?.Invoke(step);
            }
        }
        finally
        {
            logits.Dispose();
        }

        var completions = new Completion[total];
        for (var c = 0; c < total; c++)
            completions[c] = new Completion(c / samples, c % samples, [.. tokens[c]], [.. logProbs[c]], reasons[c] ?? FinishReason.Length);
        var stats = new GenerationStats(prompts.Sum(p => (long)p.Length), tokens.Sum(t => (long)t.Count), steps,
            prefillTime, clock.Elapsed - prefillTime);
        return new GenerationResult(completions, stats);
    }

    /// <summary>Runs the prompts through the model into <paramref name="cache"/>; returns the last logits per completion row [P·n, V].</summary>
    private Tensor Prefill(IReadOnlyList<int[]> prompts, int width, int padId, KvCache cache, int samples)
    {
        using var scope = NewDisposeScope();
        var device = _model.Placement.Device;
        var padded = prompts.Any(p => p.Length != width);
        var ids = new long[prompts.Count * width];
        var mask = padded ? new long[prompts.Count * width] : null;
        for (var p = 0; p < prompts.Count; p++)
        {
            var offset = p * width + width - prompts[p].Length; // left padding
            for (var t = 0; t < width; t++) ids[p * width + t] = padId;
            for (var t = 0; t < prompts[p].Length; t++)
            {
                ids[offset + t] = prompts[p][t];
                if (mask is not null) mask[offset + t] = 1;
            }
        }
        var idTensor = tensor(ids, device: device).view(prompts.Count, width);       // [P, W]
        var maskTensor = mask is null ? null : tensor(mask, device: device).view(prompts.Count, width);
        var logits = _model.LastLogits(idTensor, maskTensor, cache);                  // [P, V]
        if (samples > 1)
        {
            var rows = arange(prompts.Count, ScalarType.Int64, device).repeat_interleave(samples); // [P·n]
            cache.SelectRows(rows);
            logits = logits.index_select(0, rows);
        }
        return logits.DetachFromDisposeScope();
    }
}
