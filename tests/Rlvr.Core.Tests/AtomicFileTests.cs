using System.Text;
using Rlvr.Core.IO;

namespace Rlvr.Core.Tests;

/// <summary>The shared write-to-temp-then-rename helper: whole files or none, never a stray temp file.</summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("rlvr-atomic-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Writes_utf8_without_bom_and_creates_the_folder()
    {
        var path = Path.Combine(_folder, "new", "deeper", "a.json");
        AtomicFile.WriteAllText(path, "π = 3.14\n");
        Assert.Equal([0xCF, 0x80, (byte)' '], File.ReadAllBytes(path)[..3]); // "π" in UTF-8, no EF BB BF
        Assert.Equal("π = 3.14\n", File.ReadAllText(path));
        Assert.Equal(["a.json"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void Writes_bytes_exactly()
    {
        var path = Path.Combine(_folder, "b.bin");
        byte[] bytes = [0x7F, 0x45, 0x4C, 0x46, 0x00, 0xFF];
        AtomicFile.WriteAllBytes(path, bytes);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void Replaces_an_existing_file()
    {
        var path = Path.Combine(_folder, "a.txt");
        File.WriteAllText(path, "old and longer");
        AtomicFile.WriteAllText(path, "new");
        Assert.Equal("new", File.ReadAllText(path));
    }

    [Fact]
    public void A_failing_writer_leaves_the_old_file_and_no_temporary()
    {
        var path = Path.Combine(_folder, "a.txt");
        File.WriteAllText(path, "old");
        var error = Assert.Throws<InvalidDataException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(Encoding.UTF8.GetBytes("half a fi"));
            throw new InvalidDataException("boom");
        }));
        Assert.Equal("boom", error.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["a.txt"], Directory.GetFiles(_folder).Select(Path.GetFileName));
    }
}
