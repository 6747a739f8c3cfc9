using Rlvr.Core.Data;
using Rlvr.Core.Templates;
using Rlvr.Torch.Tokenization;
using Rlvr.Torch.Training.Configuration;

namespace Rlvr.Torch.Training.Tiny;

/// <summary>
/// The starting model of a tiny run: built from the run seed, warm-started on the training problems
/// (with the strategy task's mixed targets when that is the source), saved as an HF folder. The
/// trainer builds it when a run has none; <c>rlvr demo</c> builds it once and shares it between the
/// runs of one seed.
/// </summary>
public static class TinyBase
{
    /// <summary>Builds, warm-starts and saves the tiny model of <paramref name="config"/> into <paramref name="baseDir"/>.</summary>
    public static void Build(TrainConfig config, IReadOnlyList<Problem> train, string baseDir, Action<string>? log = null)
    {
        var tiny = config.Model.Tiny ?? throw new InvalidOperationException("model.tiny is not set");
        var template = PromptTemplates.Create(config.Data.Template);
        var placement = TrainingSetup.ResolvePlacement(config);
        log?.Invoke($"building the tiny Qwen2-architecture model ({tiny.Layers} layers, hidden {tiny.HiddenSize}) and its byte-level tokenizer");
        using var model = TinyModel.Create(tiny, placement, config.Run.Seed);
        var tokenizerDir = baseDir + ".tokenizer";
        TinyTokenizer.Write(tokenizerDir);
        var tokenizer = HfTokenizer.Load(tokenizerDir);
        Directory.Delete(tokenizerDir, recursive: true);
        if (config.WarmStart.Steps > 0)
        {
            log?.Invoke($"supervised warm start: {config.WarmStart.Steps} steps of {config.WarmStart.BatchSize} at lr {config.WarmStart.Lr}");
            Func<Problem, Random, string>? target = config.Data.Source == StrategyTask.SourceName
                ? (p, random) => StrategyTask.WarmStartTarget(p, new StrategyMix(config.Data.StrategyAFraction, config.Data.StrategyBErrorRate), random)
                : null;
            WarmStart.Run(model, train, p => tokenizer.Encode(template.Render(p.Prompt)), t => tokenizer.Encode(t),
                TinyTokenizer.EndOfTextId, config.WarmStart, config.Run.Seed, log, target);
        }
        // The chat template says how it was prompted, so that `rlvr eval --model` on a checkpoint needs no --template.
        TinyModel.Save(model, baseDir, template is RawTemplate ? RawTemplate.ChatTemplate : null);
    }
}
