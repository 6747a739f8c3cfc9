using System.Runtime.CompilerServices;
using Rlvr.Torch.Native;

namespace Rlvr.Torch.Tests;

/// <summary>Prepares TorchSharp before any test in this assembly touches a tensor.</summary>
internal static class TorchSetup
{
    [ModuleInitializer]
    internal static void Initialize()
    {
        TorchRuntime.EnsureReady();
        // Tests run tiny models on a shared 2-core machine: with libtorch's default two intra-op threads a
        // busy machine descheduled one of them and every op waited on it (measured: a 2-layer decode step
        // took 66 ms with 2 threads under load, 1 ms with 1).
        TorchSharp.torch.set_num_threads(1);
    }
}
