using System.Buffers.Binary;
using System.Text;
using Rlvr.Core.IO;

namespace Rlvr.Torch.Native;

/// <summary>
/// Makes TorchSharp loadable before the first torch call. Call <see cref="EnsureReady"/> once at start-up
/// (the CLI and every test assembly do).
/// </summary>
/// <remarks>
/// Why: TorchSharp 0.107.0's glue library, libLibTorchSharp.so, was built on a newer distribution and
/// declares a need for GLIBCXX_3.4.32, which Debian 12 / Ubuntu 22.04's libstdc++ lacks (it stops at
/// 3.4.30). The only symbol carrying that version is `_ZSt21ios_base_library_initv`, a marker GCC 13's
/// &lt;iostream&gt; emits and nothing relocates against. Marking that version need as weak
/// (VER_FLG_WEAK in the vna_flags of its entry in .gnu.version_r) lets the dynamic loader accept the
/// older libstdc++ and the library works normally. Every `dotnet build` copies the unpatched library
/// back into the output folder, so this runs at start-up on the project's own copy, idempotently.
/// Newer systems (Ubuntu 24.04) need nothing; the patch is harmless there.
/// </remarks>
public static class TorchRuntime
{
    private const string GlueLibrary = "libLibTorchSharp.so";
    private const string MissingVersion = "GLIBCXX_3.4.32";
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlagWeak = 0x2;
    private static readonly object Gate = new();
    private static bool _ready;

    /// <summary>Patches the glue library next to the application, once per process.</summary>
    public static void EnsureReady()
    {
        lock (Gate)
        {
            if (_ready) return;
            foreach (var path in CandidatePaths())
            {
                if (File.Exists(path)) MarkVersionNeedWeak(path, MissingVersion);
            }
            _ready = true;
        }
    }

    private static IEnumerable<string> CandidatePaths()
    {
        var baseDir = AppContext.BaseDirectory;
        yield return Path.Combine(baseDir, GlueLibrary);
        yield return Path.Combine(baseDir, "runtimes", "linux-x64", "native", GlueLibrary);
    }

    /// <summary>
    /// Sets VER_FLG_WEAK on the version need named <paramref name="version"/> in an ELF64 little-endian
    /// shared object. Returns true when the file was changed. Writes a temporary copy and renames it
    /// into place (<see cref="AtomicFile"/>), so a crash never leaves a half-written library.
    /// </summary>
    public static bool MarkVersionNeedWeak(string path, string version)
    {
        var elf = File.ReadAllBytes(path);
        var flagsOffset = FindVersionNeedFlags(elf, version);
        if (flagsOffset < 0) return false;
        var flags = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(flagsOffset));
        if ((flags & VerFlagWeak) != 0) return false;
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(flagsOffset), (ushort)(flags | VerFlagWeak));
        AtomicFile.WriteAllBytes(path, elf);
        return true;
    }

    /// <summary>Whether the version need named <paramref name="version"/> is marked weak; null when the file has no such need.</summary>
    public static bool? IsVersionNeedWeak(string path, string version)
    {
        var elf = File.ReadAllBytes(path);
        var flagsOffset = FindVersionNeedFlags(elf, version);
        if (flagsOffset < 0) return null;
        return (BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(flagsOffset)) & VerFlagWeak) != 0;
    }

    /// <summary>File offset of vna_flags of the Vernaux entry named <paramref name="version"/>, or -1.</summary>
    private static int FindVersionNeedFlags(byte[] elf, string version)
    {
        var span = elf.AsSpan();
        // ELF64 header: magic, class 2 (64-bit), data 1 (little-endian).
        if (elf.Length < 64 || span[0] != 0x7f || span[1] != 'E' || span[2] != 'L' || span[3] != 'F'
            || span[4] != 2 || span[5] != 1) return -1;
        var sectionTable = (int)BinaryPrimitives.ReadUInt64LittleEndian(span[0x28..]);
        var sectionSize = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3A..]);
        var sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3C..]);
        for (var s = 0; s < sectionCount; s++)
        {
            var header = span[(sectionTable + s * sectionSize)..];
            if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != ShtGnuVerneed) continue;
            var offset = (int)BinaryPrimitives.ReadUInt64LittleEndian(header[24..]);
            var linkedStrings = BinaryPrimitives.ReadUInt32LittleEndian(header[40..]);
            var needCount = BinaryPrimitives.ReadUInt32LittleEndian(header[44..]);
            var strings = span[(sectionTable + (int)linkedStrings * sectionSize)..];
            var stringsOffset = (int)BinaryPrimitives.ReadUInt64LittleEndian(strings[24..]);
            // Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32.
            for (var n = 0; n < needCount; n++)
            {
                var auxCount = BinaryPrimitives.ReadUInt16LittleEndian(span[(offset + 2)..]);
                var aux = offset + (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(offset + 8)..]);
                // Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
                for (var a = 0; a < auxCount; a++)
                {
                    var nameOffset = stringsOffset + (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(aux + 8)..]);
                    if (ReadCString(span, nameOffset) == version) return aux + 4;
                    aux += (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(aux + 12)..]);
                }
                offset += (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(offset + 12)..]);
            }
        }
        return -1;
    }

    private static string ReadCString(ReadOnlySpan<byte> span, int start)
    {
        var end = span[start..].IndexOf((byte)0);
        return Encoding.ASCII.GetString(span.Slice(start, end));
    }
}
