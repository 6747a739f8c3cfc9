using Rlvr.Torch.Native;
using TorchSharp;

namespace Rlvr.Torch.Tests;

public class TorchRuntimeTests
{
    [Fact]
    public void Torch_loads_and_computes_after_the_patch()
    {
        // 1*3 + 2*4 = 11, computed by libtorch through the patched glue library.
        using var a = torch.tensor(new float[] { 1, 2 });
        using var b = torch.tensor(new float[] { 3, 4 });
        using var dot = torch.dot(a, b);
        Assert.Equal(11f, dot.item<float>());
    }

    [Fact]
    public void The_patch_is_idempotent()
    {
        var glue = Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so");
        Assert.True(File.Exists(glue));
        // TorchSharp 0.107.0's glue library carries the GLIBCXX_3.4.32 need; start-up marked it weak,
        // and a second pass finds the flag set and changes nothing.
        Assert.True(TorchRuntime.IsVersionNeedWeak(glue, "GLIBCXX_3.4.32"));
        Assert.False(TorchRuntime.MarkVersionNeedWeak(glue, "GLIBCXX_3.4.32"));
    }
}
