using System.Buffers.Binary;
using Rlvr.Torch.Training;
using Rlvr.Torch.Training.Telemetry;
using static TorchSharp.torch.utils;

namespace Rlvr.Torch.Tests.Training;

/// <summary>
/// A resumed run's TensorBoard log shows each step once: the event files are read back with a reader
/// written here (TFRecord framing with masked CRC-32C checks, and just enough protobuf to get each
/// scalar's tag, step and value), independent of the trimmer's own parsing.
/// </summary>
[Collection(TinyTrainingRuns.Name)]
public class TensorBoardResumeTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rlvr-tb-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { if (Directory.Exists(_root)) Directory.Delete(_root, true); }

    [Fact]
    public void A_resumed_run_logs_each_step_once_across_its_event_files()
    {
        string[] common = ["eval.every=0", "checkpoint.every=2", "checkpoint.keep=3", "telemetry.samples_every=0", "warm_start.steps=20"];
        var dir = Path.Combine(_root, "run");
        Assert.True(new GrpoTrainer(TrainerEndToEndTests.Tiny([.. common, "run.steps=3"]), new TrainOptions(dir)).Run().Completed);
        // What a kill after step 3's telemetry but before its checkpoint leaves: step 3 logged, newest checkpoint step 2.
        Directory.Delete(Path.Combine(dir, "checkpoints", "step-000003"), recursive: true);
        Assert.Equal([1, 2, 3], Scalars(dir, "train/reward_mean").Select(s => s.Step));

        var resumed = new GrpoTrainer(TrainerEndToEndTests.Tiny([.. common, "run.steps=4"]), new TrainOptions(dir, Resume: true)).Run();
        Assert.True(resumed.Completed, resumed.Message);

        var files = Directory.GetFiles(Path.Combine(dir, MetricsSink.TensorBoardFolder));
        Assert.Equal(2, files.Length);  // the first run's file, cut back, and the resumed run's own
        Assert.All(files, f => Assert.Contains("tfevents", Path.GetFileName(f)));
        var rewards = Scalars(dir, "train/reward_mean");
        Assert.Equal([1, 2, 3, 4], rewards.Select(s => s.Step));
        // the steps left are the resumed run's (and those of the first run up to the checkpoint)
        var metrics = MetricsSink.Read(dir);
        Assert.Equal(metrics.Select(m => (float)m.RewardMean), rewards.Select(s => s.Value));
        Assert.Equal([1, 2, 3, 4], Scalars(dir, "train/loss").Select(s => s.Step));
    }

    [Fact]
    public void Trimming_drops_later_steps_and_a_torn_tail_and_keeps_valid_records()
    {
        var dir = Path.Combine(_root, "tb");
        var writer = tensorboard.SummaryWriter(dir);
        for (int step = 1; step <= 5; step++) writer.add_scalar("x", step * 10f, step);
        (writer as IDisposable)?.Dispose();
        var file = Assert.Single(Directory.GetFiles(dir));
        var intact = File.ReadAllBytes(file);
        // a kill mid-write: the header of a record whose data never arrived
        File.WriteAllBytes(file, [.. intact, .. BitConverter.GetBytes(40UL), 1, 2, 3, 4, 5, 6]);

        TensorBoardLogTrimmer.TrimAfterStep(dir, lastStep: 3);

        Assert.Equal([(1L, 10f), (2L, 20f), (3L, 30f)], ReadEvents(file).SelectMany(e => e.Scalars).Select(s => (s.Step, s.Value)));
        Assert.Equal([file], Directory.GetFiles(dir));  // no temporary file left
        // nothing to cut: the file stays as it is
        var trimmed = File.ReadAllBytes(file);
        TensorBoardLogTrimmer.TrimAfterStep(dir, lastStep: 3);
        Assert.Equal(trimmed, File.ReadAllBytes(file));
        Assert.True(trimmed.Length < intact.Length);
    }

    /// <summary>The (step, value) of every <paramref name="tag"/> scalar in the run's event files, files in name order.</summary>
    internal static List<(long Step, float Value)> Scalars(string runDir, string tag) =>
        ScalarsIn(Path.Combine(runDir, MetricsSink.TensorBoardFolder), tag);

    /// <summary>The scalars of <paramref name="tag"/> in the event files of <paramref name="folder"/>, in file order.</summary>
    internal static List<(long Step, float Value)> ScalarsIn(string folder, string tag) =>
        Directory.GetFiles(folder).Order()
            .SelectMany(ReadEvents).SelectMany(e => e.Scalars).Where(s => s.Tag == tag)
            .Select(s => (s.Step, s.Value)).ToList();

    private sealed record Event(long Step, List<(string Tag, long Step, float Value)> Scalars);

    /// <summary>Reads every record of an event file, checking both masked CRC-32Cs of each.</summary>
    private static List<Event> ReadEvents(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var events = new List<Event>();
        for (int offset = 0; offset < bytes.Length;)
        {
            Assert.True(bytes.Length - offset >= 12, $"{path}: torn record header at byte {offset}");
            int length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(offset)));
            Assert.Equal(MaskedCrc(bytes.AsSpan(offset, 8)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 8)));
            Assert.True(bytes.Length - offset >= 16 + length, $"{path}: torn record at byte {offset}");
            var data = bytes.AsSpan(offset + 12, length);
            Assert.Equal(MaskedCrc(data), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 12 + length)));
            events.Add(ParseEvent(data.ToArray()));
            offset += 16 + length;
        }
        return events;
    }

    // Event: 2 = step (varint), 5 = summary; Summary: 1 = value (repeated); Value: 1 = tag, 2 = simple_value (float).
    private static Event ParseEvent(byte[] data)
    {
        long step = 0;
        var values = new List<(string, float)>();
        foreach (var (field, number, bytes) in Fields(data))
        {
            if (field == 2) step = (long)number;
            if (field != 5) continue;
            foreach (var (summaryField, _, value) in Fields(bytes!))
            {
                if (summaryField != 1) continue;
                string tag = ""; float simple = float.NaN;
                foreach (var (valueField, raw, payload) in Fields(value!))
                {
                    if (valueField == 1) tag = System.Text.Encoding.UTF8.GetString(payload!);
                    if (valueField == 2) simple = BitConverter.Int32BitsToSingle((int)raw);
                }
                values.Add((tag, simple));
            }
        }
        return new Event(step, values.Select(v => (v.Item1, step, v.Item2)).ToList());
    }

    /// <summary>A protobuf message's fields: number, the integer (varint / fixed) value, the bytes (length-delimited).</summary>
    private static IEnumerable<(int Field, ulong Number, byte[]? Bytes)> Fields(byte[] message)
    {
        int i = 0;
        while (i < message.Length)
        {
            ulong key = Varint(message, ref i);
            int field = (int)(key >> 3);
            switch ((int)(key & 7))
            {
                case 0: yield return (field, Varint(message, ref i), null); break;
                case 1: yield return (field, BinaryPrimitives.ReadUInt64LittleEndian(message.AsSpan(i)), null); i += 8; break;
                case 2:
                    int length = (int)Varint(message, ref i);
                    yield return (field, 0, message.AsSpan(i, length).ToArray()); i += length; break;
                case 5: yield return (field, BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(i)), null); i += 4; break;
                default: throw new InvalidDataException($"wire type {key & 7}");
            }
        }
    }

    private static ulong Varint(byte[] bytes, ref int i)
    {
        ulong result = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = bytes[i++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
    }

    /// <summary>TFRecord's masked CRC-32C (Castagnoli, reflected polynomial 0x82F63B78).</summary>
    private static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0x82F63B78u & (uint)-(int)(crc & 1));
        }
        crc = ~crc;
        return unchecked(((crc >> 15) | (crc << 17)) + 0xA282EAD8u);
    }
}
