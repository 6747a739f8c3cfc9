using Rlvr.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlvr.Torch.Tests;

/// <summary>Parsing --device/--dtype: the defaults per device and one-line errors for what cannot work.</summary>
public class PlacementTests
{
    [Fact]
    public void Cpu_defaults_to_float32_and_takes_an_explicit_dtype()
    {
        Assert.Equal((DeviceType.CPU, ScalarType.Float32), (Placement.Parse("cpu").Device.type, Placement.Parse("cpu").DType));
        Assert.Equal(ScalarType.BFloat16, Placement.Parse("cpu", "bfloat16").DType);
    }

    [Fact]
    public void An_unknown_device_names_the_flag_and_the_choices()
    {
        var error = Assert.Throws<ArgumentException>(() => Placement.Parse("tpu"));
        Assert.Equal("--device: 'tpu' is not a device; expected cpu or cuda[:N].", error.Message);
    }

    [Fact]
    public void Cuda_is_refused_in_one_line_where_it_is_missing_and_defaults_to_bfloat16_where_present()
    {
        if (cuda.is_available())
        {
            var placement = Placement.Parse("cuda");
            Assert.Equal((DeviceType.CUDA, ScalarType.BFloat16), (placement.Device.type, placement.DType));
        }
        else
        {
            var error = Assert.Throws<ArgumentException>(() => Placement.Parse("cuda:0"));
            Assert.StartsWith("--device cuda:0: CUDA is not available here", error.Message);
        }
    }
}
