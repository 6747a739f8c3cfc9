using static TorchSharp.torch;

namespace Rlvr.Torch.Models;

/// <summary>
/// Preallocated key/value cache for batched decoding. Each layer's keys and values live in one tensor
/// [B, kv_heads, capacity, head_dim]; a forward writes its new positions in place (narrow + copy_), so
/// nothing is concatenated per step. All rows share one write position (<see cref="Length"/>): prompts
/// of different lengths are left-padded, and <see cref="KeyValid"/> marks the padded slots.
/// The tensors are detached from dispose scopes; dispose the cache explicitly.
/// </summary>
public sealed class KvCache : IDisposable
{
    private Tensor[] _keys;
    private Tensor[] _values;
    private Tensor _keyValid;     // [B, capacity] bool: false for padding slots
    private Tensor _nextPosition; // [B] int64: the rotary position of each row's next token

    /// <summary>Creates an empty cache for <paramref name="batch"/> rows of up to <paramref name="capacity"/> positions.</summary>
    public KvCache(ModelConfig config, Placement placement, int batch, int capacity)
    {
        Capacity = capacity;
        Batch = batch;
        _keys = new Tensor[config.NumHiddenLayers];
        _values = new Tensor[config.NumHiddenLayers];
        for (var layer = 0; layer < config.NumHiddenLayers; layer++)
        {
            long[] shape = [batch, config.NumKeyValueHeads, capacity, config.HeadDim];
            _keys[layer] = zeros(shape, placement.DType, placement.Device).DetachFromDisposeScope();
            _values[layer] = zeros(shape, placement.DType, placement.Device).DetachFromDisposeScope();
        }
        _keyValid = zeros([batch, capacity], ScalarType.Bool, placement.Device).DetachFromDisposeScope();
        _nextPosition = zeros([batch], ScalarType.Int64, placement.Device).DetachFromDisposeScope();
    }

    /// <summary>Positions written so far (the same for every row).</summary>
    public int Length { get; private set; }

    /// <summary>Maximum number of positions.</summary>
    public int Capacity { get; }

    /// <summary>Rows.</summary>
    public int Batch { get; private set; }

    /// <summary>Whether any written slot is padding (then attention needs a key mask).</summary>
    public bool HasPadding { get; private set; }

    /// <summary>[B, Length] bool view of the slots written so far.</summary>
    internal Tensor KeyValidSoFar(int extra) => _keyValid.narrow(1, 0, Length + extra);

    /// <summary>[B] next rotary positions (a view; do not dispose).</summary>
    internal Tensor NextPosition => _nextPosition;

    /// <summary>Records the padding mask [B, T] (null: all valid) of the <paramref name="count"/> positions about to be written.</summary>
    internal void BeginWrite(int count, Tensor? attentionMask, bool maskHasPadding)
    {
        if (Length + count > Capacity)
            throw new InvalidOperationException($"KV cache full: {Length} + {count} positions exceed capacity {Capacity}.");
        using var slot = _keyValid.narrow(1, Length, count);
        if (attentionMask is null) slot.fill_(true);
        else
        {
            using var asBool = attentionMask.to_type(ScalarType.Bool);
            slot.copy_(asBool);
        }
        HasPadding |= maskHasPadding;
    }

    /// <summary>
    /// Writes one layer's new keys/values [B, kv_heads, T, d] at the current position and returns views of
    /// everything cached for that layer, [B, kv_heads, Length + T, d].
    /// </summary>
    internal (Tensor Keys, Tensor Values) Write(int layer, Tensor keys, Tensor values)
    {
        var count = (int)keys.shape[2];
        using (var k = _keys[layer].narrow(2, Length, count)) k.copy_(keys);
        using (var v = _values[layer].narrow(2, Length, count)) v.copy_(values);
        return (_keys[layer].narrow(2, 0, Length + count), _values[layer].narrow(2, 0, Length + count));
    }

    /// <summary>Advances the write position after every layer wrote <paramref name="count"/> positions.</summary>
    internal void EndWrite(int count, Tensor validPerRow)
    {
        Length += count;
        _nextPosition.add_(validPerRow);
    }

    /// <summary>
    /// Keeps the rows named by <paramref name="rows"/> (int64 [B'] on the cache's device), in that order:
    /// repeat_interleave(n) shares one prefill among n samples; a subset compacts away finished rows.
    /// </summary>
    public void SelectRows(Tensor rows)
    {
        Replace(ref _keyValid, _keyValid.index_select(0, rows));
        Replace(ref _nextPosition, _nextPosition.index_select(0, rows));
        for (var layer = 0; layer < _keys.Length; layer++)
        {
            Replace(ref _keys[layer], _keys[layer].index_select(0, rows));
            Replace(ref _values[layer], _values[layer].index_select(0, rows));
        }
        Batch = (int)rows.shape[0];
    }

    private static void Replace(ref Tensor slot, Tensor replacement)
    {
        slot.Dispose();
        slot = replacement.DetachFromDisposeScope();
    }

    public void Dispose()
    {
        foreach (var t in _keys) t.Dispose();
        foreach (var t in _values) t.Dispose();
        _keyValid.Dispose();
        _nextPosition.Dispose();
    }
}
