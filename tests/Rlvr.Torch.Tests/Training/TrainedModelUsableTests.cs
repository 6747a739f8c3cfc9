using Rlvr.Cli.Commands;
using Rlvr.Core.Evaluation;
using Rlvr.Core.Templates;
using Rlvr.Tests;
using Rlvr.Torch.Checkpoints;
using Rlvr.Torch.Training;

namespace Rlvr.Torch.Tests.Training;

/// <summary>
/// A checkpoint is usable as it stands: it keeps the base model's chat template and generation config, so
/// `rlvr eval --model runs/.../model` finds the prompt format without --template (the tiny model carries
/// the raw template it is trained with).
/// </summary>
public sealed class TrainedModelUsableTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_tiny_checkpoint_evaluates_without_a_template_option()
    {
        var config = TrainerEndToEndTests.Tiny("run.steps=2", "eval.every=0", "checkpoint.every=2", "warm_start.steps=2");
        Assert.True(new GrpoTrainer(config, new TrainOptions(_temp["run"])).Run().Completed);
        var model = Path.Combine(_temp["run"], "checkpoints", "step-000002", "model");

        Assert.Equal("raw", ChatTemplateDetector.FromModelFolder(model).Name);
        var defaults = GenerationDefaults.Read(model);
        Assert.Equal([256], defaults.EosTokenIds);
        Assert.Equal(256, defaults.PadTokenId);

        var exit = EvalCommand.Create().Parse(["--model", model, "--datasets", "MATH-500", "--limit", "1", "--data-dir", RepoPaths.Data(),
            "--out", _temp["eval"], "--max-new-tokens", "3"]).Invoke();
        Assert.Equal(0, exit);
        Assert.Equal("raw", EvalSummary.Read(Path.Combine(_temp["eval"], "summary.json")).Template);
    }

    [Fact]
    public void A_checkpoint_keeps_the_base_models_chat_template_and_generation_config()
    {
        var source = TinyModelFolder.Create(_temp.Path, "base");  // qwen2-tied weights, ChatML tokenizer fixture
        File.WriteAllText(Path.Combine(source, "chat_template.jinja"), "{{ messages }}");
        using var model = CheckpointLoader.Load(source, Models.Placement.Cpu);
        var saved = _temp["saved"];
        CheckpointSaver.Save(model, saved, copyFrom: source);
        foreach (var file in new[] { "tokenizer_config.json", "generation_config.json", "chat_template.jinja", "tokenizer.json" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(source, file)), File.ReadAllBytes(Path.Combine(saved, file)));
    }
}
