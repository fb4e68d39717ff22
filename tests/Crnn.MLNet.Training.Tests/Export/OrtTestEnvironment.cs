using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Crnn.MLNet.Training.Tests.Export;

/// <summary>
/// The ONNX Runtime environment of this test run, created once with a logging callback so tests can
/// see what ONNX Runtime logs at warning level and above (and prove it logs nothing for our models).
/// ONNX Runtime's environment is a per-process singleton whose logger is fixed when it is created, so
/// it is created when this test assembly loads, before any test can create the default one.
/// Everything captured is also written to standard error, as ONNX Runtime's default logger would.
/// </summary>
public static class OrtTestEnvironment
{
    public sealed record LogEntry(OrtLoggingLevel Severity, string Category, string LogId, string Message);

    private static readonly ConcurrentQueue<LogEntry> Entries = new();
    private static readonly DOrtLoggingFunction Callback = OnLog; // kept alive for the native side
    private static readonly Lazy<OrtEnv> Env = new(Create);

    /// <summary>Whether our logging callback is installed (false if something created the environment first).</summary>
    public static bool CapturesLogs { get; private set; }

    /// <summary>Everything logged at warning level or above so far.</summary>
    public static IReadOnlyList<LogEntry> Logged => Entries.ToArray();

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void CreateAtAssemblyLoad()
    {
        try { _ = Env.Value; }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or OnnxRuntimeException)
        {
            // Left to the first test that needs ONNX Runtime to report.
        }
    }

    private static OrtEnv Create()
    {
        var options = new EnvironmentCreationOptions
        {
            logId = "crnn-export-tests",
            logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
            loggingFunction = Callback,
        };
        try
        {
            var env = OrtEnv.CreateInstanceWithOptions(ref options);
            CapturesLogs = true;
            return env;
        }
        catch (OnnxRuntimeException)
        {
            return OrtEnv.Instance();
        }
    }

    private static void OnLog(IntPtr param, OrtLoggingLevel severity, string category, string logId, string codeLocation, string message)
    {
        Entries.Enqueue(new LogEntry(severity, category, logId, message));
        Console.Error.WriteLine($"[onnxruntime {severity} {logId}] {message}");
    }

    /// <summary>A CPU session for <paramref name="model"/> logging at warning level under <paramref name="logId"/>.</summary>
    public static InferenceSession Session(byte[] model, string logId)
    {
        _ = Env.Value;
        using var options = new SessionOptions
        {
            LogId = logId,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        return new InferenceSession(model, options);
    }

    /// <summary>
    /// Runs <paramref name="session"/> over <paramref name="images"/> (<c>count x 1 x h x w</c>) in batches of
    /// <paramref name="batchSize"/>; returns each named output, <c>count x classes</c>, row-major.
    /// </summary>
    public static float[][] Run(InferenceSession session, string input, string[] outputs, float[] images, int count, int height, int width, int batchSize)
    {
        int pixels = height * width;
        var results = outputs.Select(_ => new List<float>()).ToArray();
        for (int start = 0; start < count; start += batchSize)
        {
            int n = Math.Min(batchSize, count - start);
            var batch = new DenseTensor<float>(images.AsMemory(start * pixels, n * pixels), new[] { n, 1, height, width });
            using var values = session.Run([NamedOnnxValue.CreateFromTensor(input, batch)], outputs);
            for (int o = 0; o < outputs.Length; o++)
            {
                var tensor = values[o].AsTensor<float>();
                if (tensor.Dimensions[0] != n) throw new InvalidOperationException($"output batch {tensor.Dimensions[0]} for input batch {n}");
                results[o].AddRange(tensor.ToArray());
            }
        }
        return results.Select(r => r.ToArray()).ToArray();
    }
}
