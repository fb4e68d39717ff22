using Microsoft.ML.OnnxRuntime;

namespace Crnn.MLNet.Model;

/// <summary>
/// What opening any of our ONNX models shares: reading the file within the size limit (checked before anything of that
/// size is read), creating the ONNX Runtime session with the caller's thread settings on the caller's device (or the CPU), and wrapping ONNX Runtime's
/// errors with the model's name.
/// </summary>
internal static class OnnxModelLoading
{
    /// <summary>The file's bytes; a missing or unreadable file is a <see cref="FileNotFoundException"/> naming it.</summary>
    public static byte[] ReadFile(string path, CrnnModelLimits limits)
    {
        try
        {
            CheckSize(new FileInfo(path).Length, limits, path);
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not InvalidDataException)
        {
            throw new FileNotFoundException($"{path}: cannot read the model: {e.Message}", path, e);
        }
    }

    public static void CheckSize(long bytes, CrnnModelLimits limits, string source)
    {
        if (bytes > limits.MaxModelBytes)
            throw new InvalidDataException($"{source}: the model is {bytes:N0} bytes, more than the limit of {limits.MaxModelBytes:N0} (option MaxModelBytes).");
    }

    /// <summary>
    /// A session over the model bytes (size checked first) on the requested device, or on the CPU when that device cannot
    /// be used and the options allow it; <paramref name="device"/> is where it runs. A model ONNX Runtime refuses is an
    /// <see cref="InvalidDataException"/>; an unusable device with <see cref="CrnnSessionOptions.RequireDevice"/> a
    /// <see cref="NotSupportedException"/>.
    /// </summary>
    public static InferenceSession CreateSession(byte[] modelBytes, string source, CrnnSessionOptions options, CrnnModelLimits limits, out CrnnDevice device)
    {
        CheckSize(modelBytes.LongLength, limits, source);
        if (options.Device.Kind == CrnnDeviceKind.Cuda)
        {
            string? why = CudaUnavailableReason();
            if (why is null)
            {
                try
                {
                    device = options.Device;
                    return Create(modelBytes, source, options, cudaDevice: options.Device.Id);
                }
                catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException
                                          or InvalidDataException { InnerException: OnnxRuntimeException })
                {
                    why = $"ONNX Runtime cannot use it: {OneLine(e.Message)}";
                }
            }
            string message = $"{source}: CUDA device {options.Device.Id} requested, but {why}";
            if (options.RequireDevice) throw new NotSupportedException($"{message}.");
            // Said only once the CPU session exists: a model that loads nowhere gets its own error instead.
            var cpu = Create(modelBytes, source, options, cudaDevice: null);
            options.DeviceFallback?.Invoke($"{message}; running on the CPU.");
            device = CrnnDevice.Cpu;
            return cpu;
        }
        device = CrnnDevice.Cpu;
        return Create(modelBytes, source, options, cudaDevice: null);
    }

    /// <summary>Why this process's ONNX Runtime has no CUDA provider, or null when it has one.</summary>
    internal static string? CudaUnavailableReason()
    {
        string[] providers;
        try { providers = OrtEnv.Instance().GetAvailableProviders(); }
        catch (OnnxRuntimeException e) { return $"ONNX Runtime cannot list its providers: {OneLine(e.Message)}"; }
        return providers.Contains("CUDAExecutionProvider", StringComparer.Ordinal) ? null
            : $"this ONNX Runtime has no CUDA provider (it has {string.Join(", ", providers)}; the CUDA one comes with the Microsoft.ML.OnnxRuntime.Gpu package)";
    }

    private static InferenceSession Create(byte[] modelBytes, string source, CrnnSessionOptions options, int? cudaDevice)
    {
        using var so = new SessionOptions();
        if (options.IntraOpThreads is int intra) so.IntraOpNumThreads = intra;
        if (options.InterOpThreads is int inter) so.InterOpNumThreads = inter;
        // Full optimisation: its convolution layout rewrite alone makes these models about 3x faster (docs/benchmarks.md).
        so.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL;
        // Appended before the session exists; operators CUDA lacks still run on the CPU provider ONNX Runtime always adds.
        if (cudaDevice is int id) so.AppendExecutionProvider_CUDA(id);
        try
        {
            return new InferenceSession(modelBytes, so);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"{source}: ONNX Runtime cannot load the model: {OneLine(e.Message)}", e);
        }
    }

    /// <summary>ONNX Runtime's multi-line messages on one line.</summary>
    public static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();
}
