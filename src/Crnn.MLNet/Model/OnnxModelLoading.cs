using Microsoft.ML.OnnxRuntime;

namespace Crnn.MLNet.Model;

/// <summary>
/// What opening any of our ONNX models shares: reading the file within the size limit (checked before anything of that
/// size is read), creating the ONNX Runtime session with the caller's thread settings, and wrapping ONNX Runtime's
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

    /// <summary>A session over the model bytes (size checked first); a model ONNX Runtime refuses is an <see cref="InvalidDataException"/>.</summary>
    public static InferenceSession CreateSession(byte[] modelBytes, string source, CrnnSessionOptions options, CrnnModelLimits limits)
    {
        CheckSize(modelBytes.LongLength, limits, source);
        using var so = new SessionOptions();
        if (options.IntraOpThreads is int intra) so.IntraOpNumThreads = intra;
        if (options.InterOpThreads is int inter) so.InterOpNumThreads = inter;
        // Full optimisation: its convolution layout rewrite alone makes these models about 3x faster (docs/benchmarks.md).
        so.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL;
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
