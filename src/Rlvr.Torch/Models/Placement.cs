using TorchSharp;

namespace Rlvr.Torch.Models;

/// <summary>Where a model's weights live and in which floating dtype.</summary>
/// <param name="Device">cpu or cuda.</param>
/// <param name="DType">float32 on CPU (this CPU has no bf16 units); bfloat16 or float16 on CUDA.</param>
public sealed record Placement(torch.Device Device, torch.ScalarType DType)
{
    /// <summary>fp32 on the CPU.</summary>
    public static Placement Cpu => new(torch.CPU, torch.ScalarType.Float32);

    /// <summary>
    /// The default for a device name: "cpu" gives float32, "cuda" (or "cuda:N") gives bfloat16.
    /// <paramref name="dtype"/> ("float32", "bfloat16", "float16") overrides the dtype.
    /// </summary>
    public static Placement Parse(string device, string? dtype = null)
    {
        var parsed = device switch
        {
            "cpu" => torch.CPU,
            // Checked here: otherwise TorchSharp throws "CUDA did not initialise" with a stack trace at first use.
            _ when device.StartsWith("cuda", StringComparison.Ordinal) => torch.cuda.is_available()
                ? torch.device(device)
                : throw new ArgumentException($"--device {device}: CUDA is not available here (no GPU, or a CPU-only libtorch); use --device cpu."),
            _ => throw new ArgumentException($"--device: '{device}' is not a device; expected cpu or cuda[:N]."),
        };
        var type = dtype is null
            ? (parsed.type == DeviceType.CPU ? torch.ScalarType.Float32 : torch.ScalarType.BFloat16)
            : ModelConfigReader.ParseDType(dtype, "--dtype");
        return new Placement(parsed, type);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Device} {ModelConfigReader.DTypeName(DType)}";
}
