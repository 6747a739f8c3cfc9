using Rlvr.Core.Evaluation;
using Rlvr.Torch.Checkpoints;
using Rlvr.Torch.Models;
using Rlvr.Torch.Training;
using Rlvr.Torch.Training.Checkpointing;

namespace Rlvr.Torch.Tests.Training;

/// <summary>Weight snapshots for evaluation beside training: what the trainer leaves, and their retention.</summary>
[Collection(TinyTrainingRuns.Name)]
public sealed class SnapshotTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_trainer_leaves_a_snapshot_every_n_steps_and_of_the_base_model_then_marks_the_end()
    {
        var dir = Path.Combine(_temp.Path, "run");
        var result = new GrpoTrainer(TrainerEndToEndTests.Tiny("run.steps=2", "eval.every=0", "eval.snapshot_every=1", "checkpoint.every=2",
            "warm_start.steps=10"), new TrainOptions(dir)).Run();
        Assert.True(result.Completed, result.Message);
        var store = SnapshotStore.InRun(dir);
        Assert.Equal([0, 1, 2], store.Complete().Select(s => s.Step));
        Assert.Equal(new RunEnd(2, true), store.Finished());
        // a snapshot is the policy as an HF folder: step 0 = the base model, step 2 = the checkpoint's weights
        using var base0 = CheckpointLoader.Load(Path.Combine(dir, "base-model"), Placement.Cpu);
        using var snap0 = CheckpointLoader.Load(store.Complete()[0].Path, Placement.Cpu);
        using var snap2 = CheckpointLoader.Load(store.Complete()[2].Path, Placement.Cpu);
        using var checkpoint = CheckpointLoader.Load(Path.Combine(dir, "checkpoints", "step-000002", "model"), Placement.Cpu);
        var b = base0.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var c = checkpoint.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.All(snap0.named_parameters(), p => Assert.True(p.parameter.allclose(b[p.name], rtol: 0, atol: 0), p.name));
        Assert.All(snap2.named_parameters(), p => Assert.True(p.parameter.allclose(c[p.name], rtol: 0, atol: 0), p.name));
        Assert.True(File.Exists(Path.Combine(store.Complete()[2].Path, "tokenizer.json")));
        Assert.False(File.Exists(Path.Combine(store.Complete()[2].Path, "optimizer.bin")));  // light: weights only
    }

    [Fact]
    public void Only_evaluated_snapshots_are_deleted_beyond_the_newest_kept()
    {
        var store = new SnapshotStore(Path.Combine(_temp.Path, "snapshots"));
        foreach (var step in new[] { 0, 2, 4, 6 }) store.Save(step, d => { Directory.CreateDirectory(d); File.WriteAllText(Path.Combine(d, "w"), "x"); });
        store.Prune(new HashSet<int> { 0, 2, 4 }, keep: 1);   // 6 not evaluated yet: kept whatever keep says
        Assert.Equal([4, 6], store.Complete().Select(s => s.Step));
        store.Prune(new HashSet<int> { 0, 2, 4 }, keep: 0);
        Assert.Equal([6], store.Complete().Select(s => s.Step));
        // a half-written snapshot is never listed, and reopening the store removes it and the end marker
        Directory.CreateDirectory(Path.Combine(store.Directory, ".tmp-step-000008"));
        store.MarkFinished(new RunEnd(6, true));
        Assert.Equal([6], store.Complete().Select(s => s.Step));
        store.Reopen();
        Assert.Null(store.Finished());
        Assert.False(Directory.Exists(Path.Combine(store.Directory, ".tmp-step-000008")));
    }

    [Fact]
    public void Eval_log_lines_survive_a_torn_last_line()
    {
        var run = _temp.Path;
        SnapshotEvalLog.Append(run, new SnapshotEvalEntry(0, [new SnapshotSetResult("AMC@8", 8, 0.6, 0.25, 0.5, 0.75, 83)], 0.25));
        File.AppendAllText(Path.Combine(run, SnapshotEvalLog.FileName), "{\"step\": 2, \"se");   // a kill mid-line
        Assert.Equal([0], SnapshotEvalLog.Read(run).Select(e => e.Step));
        SnapshotEvalLog.Append(run, new SnapshotEvalEntry(2, [], 0));
        Assert.Equal([0, 2], SnapshotEvalLog.Read(run).Select(e => e.Step));
        // the documented snake_case schema
        Assert.Equal("{\"step\":0,\"sets\":[{\"set\":\"AMC@8\",\"k\":8,\"temperature\":0.6,\"avg_at_k\":0.25,\"pass_at_k\":0.5,\"code_frequency\":0.75,\"problems\":83}],\"mean_avg_at_k\":0.25}",
            File.ReadLines(Path.Combine(run, SnapshotEvalLog.FileName)).First());
    }
}
