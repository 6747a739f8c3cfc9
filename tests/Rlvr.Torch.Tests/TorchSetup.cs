using System.Runtime.CompilerServices;
using Rlvr.Torch.Native;

namespace Rlvr.Torch.Tests;

/// <summary>Prepares TorchSharp before any test in this assembly touches a tensor.</summary>
internal static class TorchSetup
{
    [ModuleInitializer]
    internal static void Initialize() => TorchRuntime.EnsureReady();
}
