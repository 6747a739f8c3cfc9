using Rlvr.Torch.Native;
using static TorchSharp.torch;

namespace Rlvr.Torch.Models;

/// <summary>
/// A decoder-only causal language model (Qwen2, Llama, OLMo-2) whose state_dict keys are the Hugging Face
/// parameter names (model.layers.0.self_attn.q_proj.weight, lm_head.weight, ...).
/// </summary>
/// <remarks>
/// Inputs everywhere: <c>inputIds</c> int64 [B, T]; <c>attentionMask</c> [B, T] (1 = token, 0 = left
/// padding) or null when no row is padded. Rotary positions come from the mask (cumsum − 1), so a
/// left-padded row sees the same positions as the unpadded prompt. With a <see cref="KvCache"/> the new
/// tokens are appended to it and may attend to everything cached. Works with autograd: the trainer calls
/// <see cref="TokenLogProbs"/> with gradients enabled.
/// </remarks>
public sealed class CausalLanguageModel : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // Hugging Face parameter names
    public readonly DecoderStack model;
    /// <summary>Null when the head is tied to model.embed_tokens.weight.</summary>
    public readonly HfLinear? lm_head;
#pragma warning restore IDE1006
    private readonly RotaryEmbedding _rotary;

    /// <summary>Builds a model with uninitialised weights (load a checkpoint or call <see cref="InitializeRandom"/>).</summary>
    public CausalLanguageModel(ModelConfig config, Placement placement) : base(nameof(CausalLanguageModel))
    {
        Config = config;
        Placement = placement;
        model = new DecoderStack(config, placement);
        if (!config.TieWordEmbeddings) lm_head = new HfLinear(config.HiddenSize, config.VocabSize, false, placement);
        _rotary = new RotaryEmbedding(config);
        RegisterComponents();
    }

    /// <summary>The shape and numerics.</summary>
    public ModelConfig Config { get; }

    /// <summary>Device and dtype of the weights.</summary>
    public Placement Placement { get; }

    /// <summary>
    /// Recompute each layer's activations during backward instead of keeping them (less memory, about
    /// one extra forward of time). Applies to forwards with gradients and without a KV cache.
    /// </summary>
    public bool GradientCheckpointing { get; set; }

    /// <summary>The output projection [vocab, hidden] (the embedding matrix when tied).</summary>
    public Tensor HeadWeight => lm_head?.weight ?? model.embed_tokens.weight;

    /// <summary>Logits [B, T, vocab] for unpadded ids [B, T].</summary>
    public override Tensor forward(Tensor inputIds) => Logits(inputIds);

    /// <summary>Logits [B, T, vocab] in the model dtype.</summary>
    public Tensor Logits(Tensor inputIds, Tensor? attentionMask = null, KvCache? cache = null)
    {
        using var scope = NewDisposeScope();
        var hidden = HiddenStates(inputIds, attentionMask, cache);
        return ProjectToVocab(hidden).MoveToOuterDisposeScope();
    }

    /// <summary>Logits of the last position only, [B, vocab]: what decoding needs (left padding puts every row's last token last).</summary>
    public Tensor LastLogits(Tensor inputIds, Tensor? attentionMask = null, KvCache? cache = null)
    {
        using var scope = NewDisposeScope();
        var hidden = HiddenStates(inputIds, attentionMask, cache);
        var last = hidden.select(1, hidden.shape[1] - 1); // [B, hidden]
        return ProjectToVocab(last).MoveToOuterDisposeScope();
    }

    /// <summary>hidden [..., hidden] → logits [..., vocab].</summary>
    public Tensor ProjectToVocab(Tensor hidden) => nn.functional.linear(hidden, HeadWeight);

    /// <summary>
    /// log p(targets[b, t] | inputIds[b, ≤t]) as float32 [B, T]. Targets are aligned with positions (for
    /// next-token log-probs pass targets = inputIds shifted left by one and ignore the last column).
    /// The vocabulary projection runs in chunks of positions holding about <paramref name="maxLogitElements"/>
    /// float32 logits, in the forward and (with gradients) in the backward, which recomputes them: the full
    /// [B, T, vocab] logits never exist (see <see cref="ChunkedTargetLogProbs"/>).
    /// </summary>
    public Tensor TokenLogProbs(Tensor inputIds, Tensor targets, Tensor? attentionMask = null, long maxLogitElements = 1L << 26)
    {
        using var scope = NewDisposeScope();
        var hidden = HiddenStates(inputIds, attentionMask, null); // [B, T, hidden]
        return TargetLogProbs(hidden, targets, maxLogitElements).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// log p(targets) [B, T] float32 from final hidden states [B, T, hidden] (e.g. a slice of
    /// <see cref="HiddenStates"/> covering the response), chunked as in <see cref="TokenLogProbs"/>.
    /// </summary>
    public Tensor TargetLogProbs(Tensor hidden, Tensor targets, long maxLogitElements = 1L << 26)
    {
        var chunk = Math.Max(1, Math.Min(hidden.shape[1], maxLogitElements / Math.Max(1, hidden.shape[0] * Config.VocabSize)));
        return is_grad_enabled() && (hidden.requires_grad || HeadWeight.requires_grad)
            ? ChunkedTargetLogProbs.Run(hidden, HeadWeight, targets, chunk)
            : ChunkedTargetLogProbs.Compute(hidden, HeadWeight, targets, chunk);
    }

    /// <summary>
    /// Final-norm hidden states [B, T, hidden] of the new tokens. With a cache the tokens are appended
    /// to it; otherwise the sequence is self-contained.
    /// </summary>
    public Tensor HiddenStates(Tensor inputIds, Tensor? attentionMask = null, KvCache? cache = null)
    {
        using var scope = NewDisposeScope();
        long batch = inputIds.shape[0], length = inputIds.shape[1];
        // Without a cache, padding only at the ends of rows changes nothing for real tokens under causal
        // attention (they never see later positions, and their positions count from 0): drop the mask so
        // that SDPA takes its causal, mask-free path (a fused kernel on CUDA). GRPO micro-batches of one
        // prompt's samples look like this. One host read of a boolean.
        if (attentionMask is not null && cache is null && PaddedOnlyOnTheRight(attentionMask)) attentionMask = null;
        var context = BuildContext(inputIds, attentionMask, cache, batch, length);
        var h = model.embed_tokens.forward(inputIds);
        var checkpoint = GradientCheckpointing && cache is null && is_grad_enabled();
        foreach (var layer in model.layers)
        {
            var next = checkpoint ? CheckpointedLayer.Run(layer, h, context) : layer.Forward(h, context);
            // Release each layer's input now rather than with the scope: without autograd its memory is
            // free at once (28 hidden states of a 7B prefill are gigabytes); with autograd the graph still
            // holds what backward needs, so only the handle goes.
            h.Dispose();
            h = next;
        }
        if (cache is not null)
        {
            var valid = attentionMask is null ? full([batch], length, ScalarType.Int64, inputIds.device)
                : attentionMask.to_type(ScalarType.Int64).sum(1);
            cache.EndWrite((int)length, valid);
        }
        return model.norm.forward(h).MoveToOuterDisposeScope();
    }

    /// <summary>Whether every row of a [B, T] mask is ones followed by zeros (non-increasing along T).</summary>
    private static bool PaddedOnlyOnTheRight(Tensor attentionMask)
    {
        var length = attentionMask.shape[1];
        if (length < 2) return true;
        using var scope = NewDisposeScope();
        var mask = attentionMask.to_type(ScalarType.Int64);
        return (mask.narrow(1, 1, length - 1) <= mask.narrow(1, 0, length - 1)).all().item<bool>();
    }

    private AttentionContext BuildContext(Tensor inputIds, Tensor? attentionMask, KvCache? cache, long batch, long length)
    {
        var device = inputIds.device;
        var past = cache?.Length ?? 0;
        // Rotary positions: count of real tokens before each one (cumsum − 1), continuing the cache's count.
        Tensor positions; // [B, T]
        if (attentionMask is null)
            positions = arange(length, ScalarType.Int64, device).unsqueeze(0).expand(batch, length);
        else
            positions = (attentionMask.to_type(ScalarType.Int64).cumsum(1) - 1).clamp_min(0);
        if (cache is not null) positions = positions + cache.NextPosition.unsqueeze(1);
        var (cos, sin) = _rotary.Angles(positions, Placement.DType);

        // A mask is needed when a row is padded, or when a chunk of several tokens follows cached ones.
        var maskHasPadding = attentionMask is not null;
        cache?.BeginWrite((int)length, attentionMask, maskHasPadding);
        var padded = maskHasPadding || (cache?.HasPadding ?? false);
        var needsMask = padded || (past > 0 && length > 1);
        Tensor? folded = null;
        if (needsMask)
        {
            var keyLength = past + length;
            var keyValid = cache is not null ? cache.KeyValidSoFar((int)length)
                : attentionMask!.to_type(ScalarType.Bool);                                   // [B, Tk]
            var queryAbsolute = arange(past, past + length, ScalarType.Int64, device).unsqueeze(1); // [T, 1]
            var keyIndex = arange(keyLength, ScalarType.Int64, device).unsqueeze(0);                // [1, Tk]
            var causal = keyIndex <= queryAbsolute;                                                 // [T, Tk]
            // Each query may also see itself, so that a padding row is never fully masked (no NaN);
            // its output is never read by a real token, whose mask excludes padding keys.
            var self = keyIndex == queryAbsolute;
            var mask = (keyValid.unsqueeze(1) & causal.unsqueeze(0)) | self.unsqueeze(0);          // [B, T, Tk]
            var groups = Config.QueryGroups;
            folded = mask.unsqueeze(1).unsqueeze(1).expand(batch, 1, groups, length, keyLength)
                .reshape(batch, 1, groups * length, keyLength);                                     // [B, 1, G*T, Tk]
        }
        return new AttentionContext
        {
            Cos = cos,
            Sin = sin,
            FoldedMask = folded,
            CausalSquare = !needsMask && past == 0,
            Cache = cache,
        };
    }

    /// <summary>
    /// Until the returned handle is disposed, each layer projects q, k and v with one matrix product from a
    /// copy of the three weights side by side, and rotates q and k together (five ops fewer per layer:
    /// decoding a small batch on a GPU is bound by the number of ops, not by arithmetic). The copy goes
    /// stale when the weights change, so hold the handle only while they are fixed (the rollout engine
    /// holds it for one call). Costs (hidden + 2·kv_width)·hidden values per layer, about 6% of a
    /// Qwen2.5-Math-1.5B model. No effect on OLMo-2, whose q and k norms act before the split.
    /// </summary>
    public IDisposable FuseAttentionProjections() =>
        new Unfuse(model.layers.Select(layer => layer.self_attn).Where(attention => attention.FuseProjections()).ToArray());

    /// <summary>Drops what one <see cref="FuseAttentionProjections"/> call fused (an enclosing call's copies stay).</summary>
    private sealed class Unfuse(SelfAttention[] fused) : IDisposable
    {
        public void Dispose()
        {
            foreach (var attention in fused) attention.DropFusedProjections();
        }
    }

    /// <summary>
    /// Fills every weight for benchmarks and tests without a checkpoint: matrices ~ N(0, 0.02), norms 1,
    /// biases 0, drawn from a generator seeded with <paramref name="seed"/>.
    /// </summary>
    public void InitializeRandom(long seed)
    {
        using var noGrad = no_grad();
        using var generator = SeededGenerator.For(Placement.Device, seed);
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.EndsWith("norm.weight", StringComparison.Ordinal)) parameter.fill_(1.0);
            else if (name.EndsWith(".bias", StringComparison.Ordinal)) parameter.zero_();
            else parameter.normal_(0.0, 0.02, generator);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _rotary.Dispose();
        base.Dispose(disposing);
    }
}
