using static TorchSharp.torch;

namespace Rlvr.Torch.Models;

/// <summary>
/// What every layer's attention needs for one forward, computed once per forward by
/// <see cref="CausalLanguageModel"/>: rotary angles, the attention mode and the cache.
/// </summary>
internal sealed class AttentionContext
{
    /// <summary>[B, 1, T, head_dim] rotary cos/sin for the new positions.</summary>
    public required Tensor Cos { get; init; }
    public required Tensor Sin { get; init; }

    /// <summary>
    /// Null: no mask is needed, either a causal square (no cache, no padding: SDPA is_causal) or a
    /// single new token that may see every cached key. Otherwise a bool mask [B, 1, groups*T, Tk]
    /// already folded for grouped-query attention (see <see cref="SelfAttention"/>): true = may attend.
    /// </summary>
    public Tensor? FoldedMask { get; init; }

    /// <summary>Whether the no-mask case is the causal square (prefill/training) rather than decode.</summary>
    public bool CausalSquare { get; init; }

    public KvCache? Cache { get; init; }
}
