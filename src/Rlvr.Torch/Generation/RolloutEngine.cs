using System.Diagnostics;
using Rlvr.Torch.Models;
using Rlvr.Torch.Native;
using static TorchSharp.torch;

namespace Rlvr.Torch.Generation;

/// <summary>
/// Batched generation with a preallocated KV cache: one prefill of all (left-padded) prompts, the cache
/// rows copied for n samples per prompt, then one forward per new token for the whole batch.
/// </summary>
/// <remarks>
/// Per decode step: one dispose scope; the logits of the last position only; chosen tokens and their
/// log-probs written into device buffers. Every <see cref="GenerationOptions.HostSyncInterval"/> steps one
/// device→host copy brings the new tokens to the host, where stops are checked (stop strings need the
/// tokenizer). Finished rows keep running until few are left, then the cache is compacted to the running
/// rows. The loop ends when every completion has finished. For the length of a call each layer's q/k/v
/// weights are fused into one matrix (<see cref="CausalLanguageModel.FuseAttentionProjections"/>).
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
        var vocabulary = _model.Config.VocabSize;
        for (var p = 0; p < prompts.Count; p++)
        {
            if (prompts[p].Length == 0) throw new ArgumentException($"prompt {p} is empty.");
            // Checked here: an id past the embedding table fails deep in libtorch with a native stack trace.
            var bad = Array.FindIndex(prompts[p], id => id < 0 || id >= vocabulary);
            if (bad >= 0)
                throw new ArgumentException($"prompt {p}: token id {prompts[p][bad]} at position {bad} is outside the model's vocabulary (0..{vocabulary - 1}).");
        }

        var device = _model.Placement.Device;
        var samples = options.SamplesPerPrompt;
        var total = prompts.Count * samples;
        var width = prompts.Max(p => p.Length);
        var tokens = Enumerable.Range(0, total).Select(_ => new List<int>()).ToArray();
        var logProbs = Enumerable.Range(0, total).Select(_ => new List<float>()).ToArray();
        var reasons = new FinishReason?[total];
        var matcher = new StopMatcher(options);

        // Inference mode: no autograd bookkeeping (version counters, view tracking) on any op; nothing made
        // here outlives the call except host arrays.
        using var inference = inference_mode(true);
        using var fused = _model.FuseAttentionProjections();
        using var generator = options.Sampling.IsGreedy ? null : SeededGenerator.For(device, options.Seed);
        using var cache = new KvCache(_model.Config, _model.Placement, prompts.Count, width + options.MaxNewTokens);
        var clock = Stopwatch.StartNew();
        Tensor logits = Prefill(prompts, width, options.PadTokenId, cache, samples); // [rows, V]
        if (device.type == TorchSharp.DeviceType.CUDA) cuda.synchronize(device);
        var prefillTime = clock.Elapsed;

        // Chosen tokens and log-probs stay on the device, one column per step, until the host reads them.
        using var tokenBuffer = zeros([total, options.MaxNewTokens], ScalarType.Int64, device);  // [P·n, max]
        using var logProbBuffer = zeros([total, options.MaxNewTokens], ScalarType.Float32, device);
        var syncInterval = options.HostSyncInterval > 0 ? options.HostSyncInterval
            : device.type == TorchSharp.DeviceType.CUDA ? 16 : 1;
        // rowOf[r]: the completion that cache row r serves; rowIndex is the same on the device.
        var rowOf = Enumerable.Range(0, total).ToArray();
        var rowIndex = arange(total, ScalarType.Int64, device).DetachFromDisposeScope();
        var synced = 0; // steps the host has read
        var steps = 0;
        try
        {
            for (var step = 0; step < options.MaxNewTokens; step++)
            {
                using var scope = NewDisposeScope();
                var (next, nextLogProbs) = TokenSampler.Next(logits, options.Sampling, generator, options.LogProbsAtSamplingTemperature);
                tokenBuffer.select(1, step).index_copy_(0, rowIndex, next);
                logProbBuffer.select(1, step).index_copy_(0, rowIndex, nextLogProbs);
                var last = step + 1 == options.MaxNewTokens;
                if (step + 1 - synced >= syncInterval || last)
                {
                    ReadNewTokens(tokenBuffer, logProbBuffer, synced, step + 1, tokens, logProbs, reasons, matcher, options.MaxNewTokens);
                    synced = step + 1;
                    var running = Enumerable.Range(0, rowOf.Length).Where(r => reasons[rowOf[r]] is null).ToList();
                    if (running.Count == 0) break;
                    if (running.Count <= rowOf.Length * options.CompactBelowActiveFraction)
                    {
                        var keep = tensor(running.Select(r => (long)r).ToArray(), device: device);
                        cache.SelectRows(keep);
                        next = next.index_select(0, keep);
                        var kept = rowIndex.index_select(0, keep).DetachFromDisposeScope();
                        rowIndex.Dispose();
                        rowIndex = kept;
                        rowOf = running.Select(r => rowOf[r]).ToArray();
                    }
                }
                if (last) break;
                var nextLogits = _model.LastLogits(next.unsqueeze(1), null, cache);
                logits.Dispose();
                logits = nextLogits.DetachFromDisposeScope();
                steps++;
                StepCompleted?.Invoke(step);
            }
        }
        finally
        {
            logits.Dispose();
            rowIndex.Dispose();
        }

        var completions = new Completion[total];
        for (var c = 0; c < total; c++)
            completions[c] = new Completion(c / samples, c % samples, [.. tokens[c]], [.. logProbs[c]], reasons[c] ?? FinishReason.Length);
        var stats = new GenerationStats(prompts.Sum(p => (long)p.Length), tokens.Sum(t => (long)t.Count), steps,
            prefillTime, clock.Elapsed - prefillTime);
        return new GenerationResult(completions, stats);
    }

    /// <summary>
    /// Copies steps [<paramref name="from"/>, <paramref name="to"/>) to the host in one transfer and appends
    /// them to each unfinished completion, stopping each at its first stop.
    /// </summary>
    private static void ReadNewTokens(Tensor tokenBuffer, Tensor logProbBuffer, int from, int to,
        List<int>[] tokens, List<float>[] logProbs, FinishReason?[] reasons, StopMatcher matcher, int maxNewTokens)
    {
        using var scope = NewDisposeScope();
        var width = to - from;
        var both = stack([tokenBuffer.narrow(1, from, width).to_type(ScalarType.Float64),
            logProbBuffer.narrow(1, from, width).to_type(ScalarType.Float64)]); // [2, P·n, width]; ids are exact in float64
        var host = both.cpu().data<double>().ToArray();
        var total = tokens.Length;
        for (var c = 0; c < total; c++)
        {
            for (var j = 0; j < width && reasons[c] is null; j++)
            {
                tokens[c].Add((int)host[c * width + j]);
                logProbs[c].Add((float)host[(total + c) * width + j]);
                reasons[c] = matcher.Check(tokens[c], maxNewTokens);
            }
        }
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
