using static TorchSharp.torch;

namespace Rlvr.Torch.Models;

/// <summary>
/// One transformer block. Qwen2/Llama: pre-norm, h + attn(input_layernorm(h)), then
/// h + mlp(post_attention_layernorm(h)). OLMo-2: no input norm, norms after each sublayer,
/// h + post_attention_layernorm(attn(h)), then h + post_feedforward_layernorm(mlp(h)).
/// </summary>
public sealed class DecoderLayer : nn.Module
{
#pragma warning disable IDE1006 // Hugging Face parameter names
    public readonly SelfAttention self_attn;
    public readonly GatedMlp mlp;
    public readonly RmsNorm? input_layernorm;
    public readonly RmsNorm post_attention_layernorm;
    public readonly RmsNorm? post_feedforward_layernorm;
#pragma warning restore IDE1006

    public DecoderLayer(ModelConfig config, Placement placement, int layerIndex) : base(nameof(DecoderLayer))
    {
        self_attn = new SelfAttention(config, placement, layerIndex);
        mlp = new GatedMlp(config, placement);
        post_attention_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, placement,
            scaleInFloat: config.Architecture == ModelArchitecture.Olmo2);
        if (config.Architecture == ModelArchitecture.Olmo2)
            post_feedforward_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, placement, scaleInFloat: true);
        else
            input_layernorm = new RmsNorm(config.HiddenSize, config.RmsNormEps, placement);
        RegisterComponents();
    }

    /// <summary>h [B, T, hidden] → [B, T, hidden].</summary>
    internal Tensor Forward(Tensor h, AttentionContext context)
    {
        using var scope = NewDisposeScope();
        Tensor afterAttention, result;
        if (input_layernorm is not null)
        {
            afterAttention = h + self_attn.Forward(input_layernorm.forward(h), context);
            result = afterAttention + mlp.forward(post_attention_layernorm.forward(afterAttention));
        }
        else
        {
            afterAttention = h + post_attention_layernorm.forward(self_attn.Forward(h, context));
            result = afterAttention + post_feedforward_layernorm!.forward(mlp.forward(afterAttention));
        }
        return result.MoveToOuterDisposeScope();
    }
}
