using TorchSharp;
using static TorchSharp.torch;

namespace Rlvr.Torch.Native;

/// <summary>A seeded source of randomness for ops on a given device (sampling, random initialisation).</summary>
/// <remarks>
/// Why not simply <c>new Generator(seed, device)</c>: TorchSharp 0.107.0's native constructor
/// (THSGenerator_new) ignores the device and always builds a CPU generator, and CUDA kernels refuse one
/// ("Expected a 'cuda' device type for generator but found 'cpu'"). So on CUDA this reseeds the device's
/// default generator and returns null, which makes the ops draw from it. Either way the draws are a
/// function of the seed alone (on one machine), which is all reproducibility needs here: every caller
/// seeds before each use and nothing else in the process draws on the device in between.
/// </remarks>
public static class SeededGenerator
{
    /// <summary>
    /// A generator to pass to random ops on <paramref name="device"/>: a new CPU generator on the CPU
    /// (dispose it), or null after reseeding the device's default generator.
    /// </summary>
    public static Generator? For(Device device, long seed)
    {
        if (device.type == DeviceType.CPU) return new Generator((ulong)seed, device);
        if (device.type != DeviceType.CUDA)
            throw new NotSupportedException($"seeded sampling on {device.type} is not supported (cpu and cuda are).");
        torch.cuda.manual_seed_all(seed);
        return null;
    }
}
