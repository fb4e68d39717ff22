namespace Crnn.MLNet.Model;

/// <summary>ONNX Runtime session settings. <c>null</c> leaves ONNX Runtime's default.</summary>
public sealed record CrnnSessionOptions
{
    public static CrnnSessionOptions Default { get; } = new();

    /// <summary>Threads used inside one operator (ONNX Runtime's default: one per physical core).</summary>
    public int? IntraOpThreads { get; init; }

    /// <summary>Threads used across operators.</summary>
    public int? InterOpThreads { get; init; }

    /// <summary>Size limits checked while opening a model; <c>null</c>: <see cref="CrnnModelLimits.Default"/>.</summary>
    public CrnnModelLimits? Limits { get; init; }

    /// <summary>
    /// Where to run the model (default: the CPU). CUDA needs ONNX Runtime's CUDA provider (the
    /// <c>Microsoft.ML.OnnxRuntime.Gpu</c> package instead of <c>Microsoft.ML.OnnxRuntime</c>), CUDA and a GPU; when any is
    /// missing the model runs on the CPU (see <see cref="RequireDevice"/>). The opened model's <c>Device</c> says which ran.
    /// </summary>
    public CrnnDevice Device { get; init; } = CrnnDevice.Cpu;

    /// <summary>
    /// When <see cref="Device"/> cannot be used: <c>false</c> (default) runs on the CPU and calls
    /// <see cref="DeviceFallback"/> with one line saying why; <c>true</c> throws <see cref="NotSupportedException"/> instead.
    /// </summary>
    public bool RequireDevice { get; init; }

    /// <summary>Called once per opened session that falls back to the CPU, with one line naming the model and the reason.</summary>
    public Action<string>? DeviceFallback { get; init; }
}
