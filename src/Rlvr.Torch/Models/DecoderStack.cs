using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlvr.Torch.Models;

/// <summary>The body Hugging Face calls `model`: embed_tokens, layers, norm.</summary>
public sealed class DecoderStack : nn.Module
{
#pragma warning disable IDE1006 // Hugging Face parameter names
    public readonly HfEmbedding embed_tokens;
    public readonly ModuleList<DecoderLayer> layers;
    public readonly RmsNorm norm;
#pragma warning restore IDE1006

    public DecoderStack(ModelConfig config, Placement placement) : base(nameof(DecoderStack))
    {
        embed_tokens = new HfEmbedding(config.VocabSize, config.HiddenSize, placement);
        layers = new ModuleList<DecoderLayer>();
        for (var i = 0; i < config.NumHiddenLayers; i++) layers.Add(new DecoderLayer(config, placement, i));
        norm = new RmsNorm(config.HiddenSize, config.RmsNormEps, placement,
            scaleInFloat: config.Architecture == ModelArchitecture.Olmo2);
        RegisterComponents();
    }
}
