using System.Buffers.Binary;

namespace Rlvr.Torch.Training.Telemetry;

/// <summary>
/// Cuts the TensorBoard event files of a run folder back to a step, so that a resumed run does not
/// show the killed run's later steps twice. TensorBoard keeps the last value per step only within one
/// file; across files (each process writes its own) both copies would be drawn. Every existing file
/// is therefore rewritten without the events whose step is beyond the resumed one, before the resumed
/// run opens its own file.
/// </summary>
/// <remarks>
/// The TFRecord framing is <c>[uint64 length][uint32 masked crc32c of length][data][uint32 masked crc32c
/// of data]</c>, little-endian, and <c>data</c> is an <c>Event</c> protobuf whose field 2 is the step
/// (varint). Kept records are copied byte for byte, so their checksums stay valid and nothing needs to
/// be recomputed. A torn record at the end (a kill mid-write) is dropped with everything after it.
/// Each file is rewritten into a temporary file (whose name lacks "tfevents", so TensorBoard never
/// reads it) and renamed over the original.
/// </remarks>
public static class TensorBoardLogTrimmer
{
    private const string EventFilePattern = "*tfevents*";
    private const string TempFile = ".trim.tmp";
    private const int HeaderBytes = 12, FooterBytes = 4;

    /// <summary>Removes from every event file in <paramref name="directory"/> the events of steps after <paramref name="lastStep"/>.</summary>
    public static void TrimAfterStep(string directory, long lastStep)
    {
        if (!Directory.Exists(directory)) return;
        var temp = Path.Combine(directory, TempFile);
        if (File.Exists(temp)) File.Delete(temp);  // left by a kill mid-trim; the original is intact
        foreach (var file in Directory.GetFiles(directory, EventFilePattern))
        {
            var bytes = File.ReadAllBytes(file);
            var kept = KeptRecords(bytes, lastStep);
            if (kept.Sum(r => r.Length) == bytes.Length) continue;  // nothing beyond lastStep, no torn tail
            using (var output = new FileStream(temp, FileMode.Create, FileAccess.Write))
            {
                foreach (var record in kept) output.Write(bytes, record.Start, record.Length);
                output.Flush(flushToDisk: true);
            }
            File.Move(temp, file, overwrite: true);
        }
    }

    /// <summary>The whole records (offset, length) of <paramref name="bytes"/> whose step is at most <paramref name="lastStep"/>.</summary>
    private static List<(int Start, int Length)> KeptRecords(byte[] bytes, long lastStep)
    {
        var kept = new List<(int, int)>();
        int offset = 0;
        while (bytes.Length - offset >= HeaderBytes)
        {
            ulong dataLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(offset));
            long room = (long)bytes.Length - offset - HeaderBytes - FooterBytes;
            if (room < 0 || dataLength > (ulong)room) break;  // torn tail
            int length = HeaderBytes + (int)dataLength + FooterBytes;
            if (EventStep(bytes.AsSpan(offset + HeaderBytes, (int)dataLength)) is not long step) break;  // garbage: treat as torn
            if (step <= lastStep) kept.Add((offset, length));
            offset += length;
        }
        return kept;
    }

    /// <summary>
    /// The <c>step</c> (field 2) of a serialized <c>Event</c>; 0 when absent (e.g. the file-version
    /// event); null when the bytes are not a protobuf message.
    /// </summary>
    private static long? EventStep(ReadOnlySpan<byte> message)
    {
        int i = 0;
        while (i < message.Length)
        {
            if (ReadVarint(message, ref i) is not ulong key) return null;
            int field = (int)(key >> 3), wireType = (int)(key & 7);
            switch (wireType)
            {
                case 0:
                    if (ReadVarint(message, ref i) is not ulong value) return null;
                    if (field == 2) return (long)value;
                    break;
                case 1: i += 8; break;
                case 2:
                    if (ReadVarint(message, ref i) is not ulong length || length > (ulong)(message.Length - i)) return null;
                    i += (int)length;
                    break;
                case 5: i += 4; break;
                default: return null;
            }
        }
        return i == message.Length ? 0 : null;
    }

    private static ulong? ReadVarint(ReadOnlySpan<byte> bytes, ref int i)
    {
        ulong result = 0;
        for (int shift = 0; shift < 64 && i < bytes.Length; shift += 7)
        {
            byte b = bytes[i++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        return null;
    }
}
