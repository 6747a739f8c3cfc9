using static TorchSharp.torch;

namespace Rlvr.Torch.Models;

/// <summary>
/// Rotary position embedding in Hugging Face's rotate_half layout: the head is split into two halves,
/// angles are cat(freqs, freqs). Not a module: its inverse-frequency table is derived from the config,
/// never saved, and kept out of RegisterComponents (which would make it a buffer).
/// </summary>
public sealed class RotaryEmbedding : IDisposable
{
    private readonly float[] _inverseFrequencies;
    private Tensor? _table;

    public RotaryEmbedding(ModelConfig config)
    {
        _inverseFrequencies = InverseFrequencies(config.HeadDim, config.RopeTheta, config.RopeScaling);
    }

    /// <summary>The per-pair inverse frequencies (head_dim / 2 of them), llama3 scaling applied.</summary>
    public static float[] InverseFrequencies(int headDim, double theta, Llama3RopeScaling? scaling)
    {
        var half = headDim / 2;
        var result = new float[half];
        for (var i = 0; i < half; i++)
        {
            // Hugging Face: 1 / theta^(2i / d), computed from float32 exponents.
            var exponent = (float)(2 * i) / headDim;
            var frequency = 1.0 / Math.Pow(theta, exponent);
            result[i] = (float)(scaling is null ? frequency : Llama3Scale(frequency, scaling));
        }
        return result;
    }

    // Llama 3 keeps high frequencies (wavelength below original/high_factor), divides low frequencies
    // (wavelength above original/low_factor) by factor, and blends linearly in between.
    private static double Llama3Scale(double frequency, Llama3RopeScaling s)
    {
        var wavelength = 2 * Math.PI / frequency;
        var lowFreqWavelength = s.OriginalMaxPositionEmbeddings / s.LowFreqFactor;
        var highFreqWavelength = s.OriginalMaxPositionEmbeddings / s.HighFreqFactor;
        if (wavelength < highFreqWavelength) return frequency;
        if (wavelength > lowFreqWavelength) return frequency / s.Factor;
        var smooth = (s.OriginalMaxPositionEmbeddings / wavelength - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor);
        return (1 - smooth) * frequency / s.Factor + smooth * frequency;
    }

    /// <summary>
    /// Angles for integer positions [B, T]: cos and a sign-folded sin, each [B, 1, T, head_dim] in
    /// <paramref name="dtype"/> (computed in float32, as Hugging Face does). The sign-folded sin is
    /// cat(−sin, sin) so that <see cref="Apply"/> needs a roll instead of split, negate and concatenate.
    /// </summary>
    public (Tensor Cos, Tensor SignedSin) Angles(Tensor positions, ScalarType dtype)
    {
        if (_table is null || _table.device != positions.device)
        {
            _table?.Dispose();
            // A normal tensor even when the first forward runs under inference mode (generation), so
            // that later training forwards may use it.
            using var normalMode = inference_mode(false);
            _table = tensor(_inverseFrequencies).to(positions.device).DetachFromDisposeScope();
        }
        using var scope = NewDisposeScope();
        var freqs = positions.to_type(ScalarType.Float32).unsqueeze(-1) * _table; // [B, T, d/2]
        var cos = cat([freqs, freqs], -1).unsqueeze(1).cos().to_type(dtype);      // [B, 1, T, d]
        var signedSin = cat([freqs.neg(), freqs], -1).unsqueeze(1).sin().to_type(dtype);
        return (cos.MoveToOuterDisposeScope(), signedSin.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// x·cos + rotate_half(x)·sin with rotate_half(x) = cat(−x2, x1), on x [B, heads, T, d]. Written as
    /// x·cos + roll(x, d/2)·cat(−sin, sin): the same numbers in three ops instead of seven.
    /// </summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor signedSin)
    {
        using var rotated = x.roll(x.shape[^1] / 2, -1);
        var result = x * cos;
        return result.addcmul_(rotated, signedSin, 1.0); // in place on the fresh product
    }

    public void Dispose() => _table?.Dispose();
}
