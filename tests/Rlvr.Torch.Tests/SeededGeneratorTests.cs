using Rlvr.Torch.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlvr.Torch.Tests;

/// <summary>Seeded randomness per device, and the TorchSharp behaviour that makes it necessary.</summary>
public class SeededGeneratorTests
{
    /// <summary>
    /// The reason SeededGenerator exists: asked for a CUDA generator, TorchSharp 0.107.0 builds a CPU one
    /// (its state is the CPU Mersenne-Twister state of the same seed), which CUDA kernels reject. If a
    /// TorchSharp upgrade fixes this, this test fails and SeededGenerator can go back to `new Generator`.
    /// </summary>
    [Fact]
    public void TorchSharp_builds_a_cpu_generator_even_when_asked_for_a_cuda_one()
    {
        using var askedForCuda = new Generator(7, new Device(DeviceType.CUDA, 0));
        using var cpu = new Generator(7, CPU);
        using var cudaState = askedForCuda.get_state();
        using var cpuState = cpu.get_state();
        Assert.Equal(cpuState.shape, cudaState.shape);
        Assert.Equal(cpuState.bytes.ToArray(), cudaState.bytes.ToArray());
    }

    [Fact]
    public void On_the_cpu_the_same_seed_repeats_its_draws_and_another_seed_does_not()
    {
        float[] Draw(long seed)
        {
            using var generator = SeededGenerator.For(CPU, seed);
            Assert.NotNull(generator);
            using var values = rand([8], generator: generator);
            return values.data<float>().ToArray();
        }
        Assert.Equal(Draw(11), Draw(11));
        Assert.NotEqual(Draw(11), Draw(12));
    }
}
