using Rlvr.Torch.Training;
using Rlvr.Torch.Training.Checkpointing;
using Rlvr.Torch.Training.Telemetry;

namespace Rlvr.Torch.Tests.Training;

public class CheckpointStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rlvr-ckpt-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, true); }

    private static TrainingState State(int step) => new(step, step * 10L, 42, 0, "");

    [Fact]
    public void Keeps_the_last_k_and_finds_the_newest()
    {
        var store = new CheckpointStore(_dir, keep: 2);
        foreach (var step in new[] { 1, 2, 3 })
            store.Save(State(step), d => File.WriteAllText(Path.Combine(d, "weights"), step.ToString()));
        Assert.Equal(["step-000002", "step-000003"], Directory.GetDirectories(_dir).Select(Path.GetFileName).Order());
        var latest = store.Latest()!.Value;
        Assert.Equal(3, latest.State.Step);
        Assert.Equal(30, latest.State.PromptsConsumed);
        Assert.Equal("3", File.ReadAllText(Path.Combine(latest.Path, "weights")));
    }

    [Fact]
    public void Half_written_checkpoints_are_never_picked()
    {
        var store = new CheckpointStore(_dir, keep: 5);
        store.Save(State(2), _ => { });
        // What a kill can leave: a temp folder mid-write, and (hand-made) a step folder without state.json.
        Directory.CreateDirectory(Path.Combine(_dir, ".tmp-step-000004"));
        File.WriteAllText(Path.Combine(_dir, ".tmp-step-000004", CheckpointStore.StateFile), "{\"Step\":4}");
        Directory.CreateDirectory(Path.Combine(_dir, "step-000003"));
        Assert.Equal(2, store.Latest()!.Value.State.Step);
        // a writer that dies mid-way leaves no step folder
        Assert.Throws<IOException>(() => store.Save(State(5), _ => throw new IOException("disk full")));
        Assert.Equal(2, store.Latest()!.Value.State.Step);
        store.RemoveLeftovers();
        Assert.False(Directory.Exists(Path.Combine(_dir, ".tmp-step-000004")));
    }

    [Fact]
    public void No_checkpoint_gives_null()
    {
        Assert.Null(new CheckpointStore(_dir, 1).Latest());
    }

    [Fact]
    public void Metrics_are_cut_back_to_the_checkpoint_and_torn_lines_dropped()
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, "m.jsonl");
        File.WriteAllText(path, "{\"step\":1}\n{\"step\":2}\n{\"step\":3}\n{\"step\":4,\"rew");
        JsonLinesWriter.TruncateAfterStep(path, 2);
        Assert.Equal(["{\"step\":1}", "{\"step\":2}"], File.ReadAllLines(path));
    }

    [Fact]
    public void Prompt_order_is_a_seeded_permutation_per_epoch_and_seekable()
    {
        var items = Enumerable.Range(0, 10).ToArray();
        var a = new PromptStream<int>(items, 42, shuffle: true);
        var first = a.Next(10);
        Assert.Equal(items, first.Order());           // an epoch is a permutation
        Assert.NotEqual(items, first);                // shuffled
        var second = a.Next(10);
        Assert.NotEqual(first, second);               // the next epoch has its own order
        var b = new PromptStream<int>(items, 42, shuffle: true);
        b.Seek(7);
        Assert.Equal(first.Skip(7).Concat(second.Take(5)), b.Next(8));
        Assert.Equal(items, new PromptStream<int>(items, 1, shuffle: false).Next(10));
    }
}
