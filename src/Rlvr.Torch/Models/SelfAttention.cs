using static TorchSharp.torch;

namespace Rlvr.Torch.Models;

/// <summary>
/// Multi-head self-attention with grouped key/value heads, rotary positions and an optional KV cache.
/// Field names follow Hugging Face (self_attn.q_proj, ...; OLMo-2 adds q_norm and k_norm, which act on
/// the whole q and k projections before the split into heads).
/// </summary>
/// <remarks>
/// TorchSharp's SDPA has no enable_gqa. With a mask (or for decode) the query heads that share a KV head
/// are folded into the query-length axis, [B, H, T, d] → [B, kv_heads, groups*T, d], so K/V are never
/// copied; query head h uses KV head h / groups exactly as repeat_interleave would. The causal square
/// without a mask (training, unpadded prefill) repeats K/V instead so that SDPA can use is_causal
/// (top-left aligned, correct because T equals the key length there) and a fused kernel on CUDA.
/// </remarks>
public sealed class SelfAttention : nn.Module
{
#pragma warning disable IDE1006 // Hugging Face parameter names
    public readonly HfLinear q_proj;
    public readonly HfLinear k_proj;
    public readonly HfLinear v_proj;
    public readonly HfLinear o_proj;
    public readonly RmsNorm? q_norm;
    public readonly RmsNorm? k_norm;
#pragma warning restore IDE1006
    private readonly int _heads;
    private readonly int _kvHeads;
    private readonly int _headDim;
    private readonly int _layerIndex;
    private FusedProjection? _fused; // q, k, v weights side by side, while decoding (see FuseProjections)

    public SelfAttention(ModelConfig config, Placement placement, int layerIndex) : base(nameof(SelfAttention))
    {
        _heads = config.NumAttentionHeads;
        _kvHeads = config.NumKeyValueHeads;
        _headDim = config.HeadDim;
        _layerIndex = layerIndex;
        var h = config.HiddenSize;
        q_proj = new HfLinear(h, _heads * _headDim, config.AttentionBias, placement);
        k_proj = new HfLinear(h, _kvHeads * _headDim, config.AttentionBias, placement);
        v_proj = new HfLinear(h, _kvHeads * _headDim, config.AttentionBias, placement);
        o_proj = new HfLinear(_heads * _headDim, h, false, placement);
        if (config.Architecture == ModelArchitecture.Olmo2)
        {
            q_norm = new RmsNorm(_heads * _headDim, config.RmsNormEps, placement, scaleInFloat: true);
            k_norm = new RmsNorm(_kvHeads * _headDim, config.RmsNormEps, placement, scaleInFloat: true);
        }
        RegisterComponents();
    }

    /// <summary>x [B, T, hidden] → [B, T, hidden].</summary>
    internal Tensor Forward(Tensor x, AttentionContext context)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], length = x.shape[1];
        var (q, k, v) = _fused is null ? Project(x, context) : ProjectFused(x, context); // [B, H|kvH, T, d], rotated
        if (context.Cache is not null) (k, v) = context.Cache.Write(_layerIndex, k, v); // [B, kvH, Tk, d]

        var groups = _heads / _kvHeads;
        Tensor attended; // [B, H, T, d]
        if (context.FoldedMask is null && context.CausalSquare)
        {
            if (groups > 1)
            {
                k = k.repeat_interleave(groups, dim: 1);
                v = v.repeat_interleave(groups, dim: 1);
            }
            attended = nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true);
        }
        else
        {
            var folded = q.reshape(batch, _kvHeads, groups * length, _headDim); // [B, kvH, G*T, d]
            var output = nn.functional.scaled_dot_product_attention(folded, k, v, context.FoldedMask);
            attended = output.view(batch, _heads, length, _headDim);
        }
        var merged = attended.transpose(1, 2).reshape(batch, length, _heads * _headDim);
        return o_proj.forward(merged).MoveToOuterDisposeScope();
    }

    /// <summary>q, k, v as [B, heads, T, d], q and k rotated: one projection each.</summary>
    private (Tensor Q, Tensor K, Tensor V) Project(Tensor x, AttentionContext context)
    {
        long batch = x.shape[0], length = x.shape[1];
        var q = q_proj.forward(x);
        var k = k_proj.forward(x);
        if (q_norm is not null) q = q_norm.forward(q);
        if (k_norm is not null) k = k_norm.forward(k);
        var v = v_proj.forward(x);
        q = q.view(batch, length, _heads, _headDim).transpose(1, 2);     // [B, H, T, d]
        k = k.view(batch, length, _kvHeads, _headDim).transpose(1, 2);   // [B, kvH, T, d]
        v = v.view(batch, length, _kvHeads, _headDim).transpose(1, 2);   // [B, kvH, T, d]
        return (RotaryEmbedding.Apply(q, context.Cos, context.Sin), RotaryEmbedding.Apply(k, context.Cos, context.Sin), v);
    }

    /// <summary>The same from the fused weights: one matrix product for q, k and v, one rotation for q and k together.</summary>
    private (Tensor Q, Tensor K, Tensor V) ProjectFused(Tensor x, AttentionContext context)
    {
        long batch = x.shape[0], length = x.shape[1];
        var heads = nn.functional.linear(x, _fused!.Weight, _fused.Bias)
            .view(batch, length, _heads + 2 * _kvHeads, _headDim).transpose(1, 2);               // [B, H+2kvH, T, d]
        var rotated = RotaryEmbedding.Apply(heads.narrow(1, 0, _heads + _kvHeads), context.Cos, context.Sin);
        return (rotated.narrow(1, 0, _heads), rotated.narrow(1, _heads, _kvHeads), heads.narrow(1, _heads + _kvHeads, _kvHeads));
    }

    /// <summary>
    /// Puts copies of the q, k and v weights side by side, used by every forward until
    /// <see cref="DropFusedProjections"/>. Returns false, doing nothing, when they already are or for
    /// OLMo-2, whose q and k norms act before the split.
    /// </summary>
    internal bool FuseProjections()
    {
        if (q_norm is not null || _fused is not null) return false;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var weight = cat([q_proj.weight, k_proj.weight, v_proj.weight], 0);
        var bias = q_proj.bias is null ? null : cat([q_proj.bias, k_proj.bias!, v_proj.bias!], 0);
        _fused = new FusedProjection(weight.DetachFromDisposeScope(), bias?.DetachFromDisposeScope());
        return true;
    }

    /// <summary>Frees the copies made by <see cref="FuseProjections"/>; forwards use the separate projections again.</summary>
    internal void DropFusedProjections()
    {
        _fused?.Dispose();
        _fused = null;
    }

    /// <summary>Not a Tensor field: RegisterComponents would make those buffers (and save them).</summary>
    private sealed record FusedProjection(Tensor Weight, Tensor? Bias) : IDisposable
    {
        public void Dispose()
        {
            Weight.Dispose();
            Bias?.Dispose();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) DropFusedProjections();
        base.Dispose(disposing);
    }
}
