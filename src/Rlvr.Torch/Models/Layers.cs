using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlvr.Torch.Models;

// Small building blocks whose field names match Hugging Face parameter names ("weight", "bias"), so that
// state_dict keys equal safetensors keys. Parameters are allocated uninitialised (torch.empty) because a
// checkpoint overwrites them; initialising 7B parameters randomly first would only cost time.

/// <summary>y = x Wᵀ (+ b), with W [out, in] as in Hugging Face.</summary>
public sealed class HfLinear : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // Hugging Face parameter names
    public readonly Parameter weight;
    public readonly Parameter? bias;
#pragma warning restore IDE1006

    public HfLinear(long inFeatures, long outFeatures, bool hasBias, Placement placement) : base(nameof(HfLinear))
    {
        weight = new Parameter(empty([outFeatures, inFeatures], placement.DType, placement.Device));
        if (hasBias) bias = new Parameter(empty([outFeatures], placement.DType, placement.Device));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => nn.functional.linear(input, weight, bias);
}

/// <summary>Token embedding table [vocab, hidden].</summary>
public sealed class HfEmbedding : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006
    public readonly Parameter weight;
#pragma warning restore IDE1006

    public HfEmbedding(long vocab, long hidden, Placement placement) : base(nameof(HfEmbedding))
    {
        weight = new Parameter(empty([vocab, hidden], placement.DType, placement.Device));
        RegisterComponents();
    }

    /// <summary>ids [B, T] → [B, T, hidden].</summary>
    public override Tensor forward(Tensor ids)
    {
        using var flat = ids.reshape(-1);
        using var rows = weight.index_select(0, flat);
        return rows.view(ids.shape[0], ids.shape[1], weight.shape[1]);
    }
}

/// <summary>
/// RMSNorm as Hugging Face computes it: the mean square in float32, then the scale. Llama/Qwen2 cast the
/// normalised input back to the model dtype before multiplying by the weight; OLMo-2 multiplies in
/// float32 and casts after (<paramref name="scaleInFloat"/>). TorchSharp has no nn.RMSNorm.
/// </summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006
    public readonly Parameter weight;
#pragma warning restore IDE1006
    private readonly double _eps;
    private readonly bool _scaleInFloat;

    public RmsNorm(long size, double eps, Placement placement, bool scaleInFloat = false) : base(nameof(RmsNorm))
    {
        weight = new Parameter(empty([size], placement.DType, placement.Device));
        _eps = eps;
        _scaleInFloat = scaleInFloat;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor result;
        if (_scaleInFloat)
            result = (weight.to_type(ScalarType.Float32) * Normalise(input)).to_type(input.dtype);
        else if (input.device_type == DeviceType.CUDA)
            result = weight * NormaliseAsLayerNorm(input, _eps);
        else
            result = weight * Normalise(input).to_type(input.dtype);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>x / sqrt(mean(x²) + eps) in float32: Hugging Face's formula, op by op.</summary>
    private Tensor Normalise(Tensor input)
    {
        var x = input.dtype == ScalarType.Float32 ? input : input.to_type(ScalarType.Float32);
        var variance = x.pow(2).mean([-1], keepdim: true);
        return x * (variance + _eps).rsqrt();
    }

    /// <summary>
    /// The same normalisation, rounded to the input's dtype, as one layer_norm over the row [x, −x]: its mean
    /// is 0 and its (biased) variance is mean(x²), so layer_norm computes x / sqrt(mean(x²) + eps), in float32
    /// inside the kernel. Three kernels (neg, cat, layer_norm) where the formula takes seven in bf16, casts
    /// included: decoding on a GPU is bound by the number of kernels, and the two norms of each layer are a
    /// large share of them. On the CPU, where kernels do real work, the formula is faster.
    /// </summary>
    public static Tensor NormaliseAsLayerNorm(Tensor input, double eps)
    {
        var width = input.shape[^1];
        var mirrored = cat([input, input.neg()], -1);
        return nn.functional.layer_norm(mirrored, [2 * width], null, null, eps).narrow(-1, 0, width);
    }
}

/// <summary>SwiGLU feed-forward: down(silu(gate(x)) * up(x)).</summary>
public sealed class GatedMlp : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006
    public readonly HfLinear gate_proj;
    public readonly HfLinear up_proj;
    public readonly HfLinear down_proj;
#pragma warning restore IDE1006

    public GatedMlp(ModelConfig config, Placement placement) : base(nameof(GatedMlp))
    {
        gate_proj = new HfLinear(config.HiddenSize, config.IntermediateSize, false, placement);
        up_proj = new HfLinear(config.HiddenSize, config.IntermediateSize, false, placement);
        down_proj = new HfLinear(config.IntermediateSize, config.HiddenSize, false, placement);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var gate = gate_proj.forward(x);
        using var activated = nn.functional.silu(gate);
        using var up = up_proj.forward(x);
        using var product = activated * up;
        return down_proj.forward(product);
    }
}
