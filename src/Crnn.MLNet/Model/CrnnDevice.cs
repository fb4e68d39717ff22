using System.Globalization;

namespace Crnn.MLNet.Model;

/// <summary>The kinds of device ONNX Runtime can run a model on here.</summary>
public enum CrnnDeviceKind
{
    /// <summary>ONNX Runtime's CPU provider (always available).</summary>
    Cpu,

    /// <summary>ONNX Runtime's CUDA provider: needs the <c>Microsoft.ML.OnnxRuntime.Gpu</c> package, CUDA and an NVIDIA GPU.</summary>
    Cuda,
}

/// <summary>Where ONNX Runtime runs a model: the CPU, or one CUDA GPU by its device id.</summary>
/// <param name="Kind">CPU or CUDA.</param>
/// <param name="Id">The CUDA device id (0 for the first GPU); always 0 for the CPU.</param>
public readonly record struct CrnnDevice(CrnnDeviceKind Kind, int Id = 0)
{
    public static CrnnDevice Cpu => new(CrnnDeviceKind.Cpu);

    /// <summary>The CUDA GPU with device id <paramref name="id"/>.</summary>
    public static CrnnDevice Cuda(int id = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        return new CrnnDevice(CrnnDeviceKind.Cuda, id);
    }

    /// <summary>Reads <c>cpu</c>, <c>cuda</c> (device 0) or <c>cuda:N</c>, in any case.</summary>
    public static bool TryParse(string? text, out CrnnDevice device)
    {
        device = Cpu;
        string s = (text ?? "").Trim().ToLowerInvariant();
        if (s == "cpu") return true;
        if (s == "cuda") { device = Cuda(0); return true; }
        if (s.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(s.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int id))
        {
            device = Cuda(id);
            return true;
        }
        return false;
    }

    /// <summary><c>cpu</c> or <c>cuda:N</c>, the form <see cref="TryParse"/> reads.</summary>
    public override string ToString() => Kind == CrnnDeviceKind.Cpu ? "cpu" : $"cuda:{Id.ToString(CultureInfo.InvariantCulture)}";
}
