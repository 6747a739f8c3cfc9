using Rlvr.Torch.Models;
using Rlvr.Torch.Training.Rollout;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlvr.Torch.Training;

/// <summary>
/// A micro-batch of (prompt, response) pairs laid out for one forward pass: prompts left-padded to
/// the longest prompt P, responses right-padded to the longest response R, so every response starts
/// at column P and the logits at column P - 1 + j predict response token j.
/// </summary>
public sealed class SequenceBatch : IDisposable
{
    /// <summary>[B, P + R] token ids (padding = <c>padId</c>).</summary>
    public Tensor InputIds { get; }
    /// <summary>[B, P + R] 1 for real tokens, 0 for padding.</summary>
    public Tensor AttentionMask { get; }
    /// <summary>[B, R] response token ids.</summary>
    public Tensor ResponseIds { get; }
    /// <summary>[B, R] float 1 where a response token exists.</summary>
    public Tensor ResponseMask { get; }
    /// <summary>Padded prompt width P.</summary>
    public int PromptWidth { get; }
    /// <summary>Padded response width R.</summary>
    public int ResponseWidth { get; }

    /// <summary>Lays out <paramref name="items"/> on <paramref name="device"/>.</summary>
    public SequenceBatch(IReadOnlyList<ScoredResponse> items, int padId, Device device)
    {
        int batch = items.Count;
        PromptWidth = items.Max(i => i.PromptTokens.Length);
        ResponseWidth = items.Max(i => i.ResponseTokens.Length);
        int width = PromptWidth + ResponseWidth;
        var ids = new long[batch * width];
        var mask = new long[batch * width];
        var responseIds = new long[batch * ResponseWidth];
        var responseMask = new float[batch * ResponseWidth];
        Array.Fill(ids, padId);
        Array.Fill(responseIds, padId);
        for (int b = 0; b < batch; b++)
        {
            var p = items[b].PromptTokens;
            var r = items[b].ResponseTokens;
            int row = b * width, start = PromptWidth - p.Length;
            for (int t = 0; t < p.Length; t++) { ids[row + start + t] = p[t]; mask[row + start + t] = 1; }
            for (int t = 0; t < r.Length; t++)
            {
                ids[row + PromptWidth + t] = r[t]; mask[row + PromptWidth + t] = 1;
                responseIds[b * ResponseWidth + t] = r[t]; responseMask[b * ResponseWidth + t] = 1;
            }
        }
        InputIds = torch.tensor(ids, [batch, width], device: device);
        AttentionMask = torch.tensor(mask, [batch, width], device: device);
        ResponseIds = torch.tensor(responseIds, [batch, ResponseWidth], device: device);
        ResponseMask = torch.tensor(responseMask, [batch, ResponseWidth], device: device);
    }

    /// <summary>
    /// Per-token log-probabilities [B, R] (float32) of the response tokens under <paramref name="model"/>,
    /// and, when asked, the entropy [B, R] of the model's next-token distribution at those positions.
    /// Only the response positions are projected to the vocabulary, in chunks of positions holding at most
    /// <paramref name="maxLogitElements"/> float32 logits, so a 152k vocabulary never needs [B, R, V] at once;
    /// log-probs alone go through <see cref="CausalLanguageModel.TargetLogProbs"/>, chunked in the backward
    /// too. The one exception: the entropy with autograd (an entropy bonus) needs every distribution at once.
    /// </summary>
    public (Tensor LogProbs, Tensor? Entropy) Score(CausalLanguageModel model, bool withEntropy, long maxLogitElements = 1L << 26)
    {
        using var scope = NewDisposeScope();
        // Feed everything but the last column: position t predicts token t + 1.
        var input = InputIds.narrow(1, 0, PromptWidth + ResponseWidth - 1);
        var mask = AttentionMask.narrow(1, 0, PromptWidth + ResponseWidth - 1);
        var hidden = model.HiddenStates(input, mask);                          // [B, P + R - 1, H]
        var responseHidden = hidden.narrow(1, PromptWidth - 1, ResponseWidth); // [B, R, H]
        if (!withEntropy)
            return (model.TargetLogProbs(responseHidden, ResponseIds, maxLogitElements).MoveToOuterDisposeScope(), null);

        long batch = responseHidden.shape[0], vocab = model.Config.VocabSize;
        long chunk = torch.is_grad_enabled() ? ResponseWidth
            : Math.Clamp(maxLogitElements / Math.Max(1, batch * vocab), 1, ResponseWidth);
        var logProbs = new List<Tensor>();
        var entropies = new List<Tensor>();
        for (long start = 0; start < ResponseWidth; start += chunk)
        {
            using var chunkScope = NewDisposeScope(); // frees this chunk's logits before the next chunk's exist
            long size = Math.Min(chunk, ResponseWidth - start);
            var logits = model.ProjectToVocab(responseHidden.narrow(1, start, size)).to_type(ScalarType.Float32); // [B, c, V]
            logProbs.Add(GrpoMath.TokenLogProbs(logits, ResponseIds.narrow(1, start, size)).MoveToOuterDisposeScope());
            entropies.Add(GrpoMath.EntropyPerToken(logits).MoveToOuterDisposeScope());
        }
        return (torch.cat(logProbs, 1).MoveToOuterDisposeScope(), torch.cat(entropies, 1).MoveToOuterDisposeScope());
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        InputIds.Dispose(); AttentionMask.Dispose(); ResponseIds.Dispose(); ResponseMask.Dispose();
    }
}
