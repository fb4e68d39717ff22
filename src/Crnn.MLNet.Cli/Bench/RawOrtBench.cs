using System.Diagnostics;
using Crnn.MLNet.Model;
using Microsoft.ML.OnnxRuntime;

namespace Crnn.MLNet.Cli.Bench;

/// <summary>
/// The reference: the model's ONNX Runtime session run directly on the normalised images, batched, with input and
/// output tensors created over the in-memory arrays before timing (no copies). Tries each batch size on a slice of
/// the images and reports the fastest one on all of them.
/// </summary>
internal static class RawOrtBench
{
    private const int SweepImages = 2048;

    public static (ThroughputResult Best, IReadOnlyList<(int BatchSize, double ImagesPerSecond)> Sweep) Run(
        CrnnOnnxModel model, string modelPath, BenchImages images, IReadOnlyList<int> batchSizes, Action<string> progress)
    {
        // The settings CrnnOnnxModel opens its sessions with.
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(modelPath, options);
        var sweep = new List<(int, double)>();
        int sweepCount = Math.Min(SweepImages, images.Count);
        foreach (int b in batchSizes)
        {
            progress($"raw ONNX Runtime, batch size {b}");
            Pass(session, model, images, sweepCount, b); // warm-up: first runs of a shape allocate
            var r = Pass(session, model, images, sweepCount, b);
            sweep.Add((b, r.ImagesPerSecond));
        }
        int best = sweep.MaxBy(s => s.Item2).Item1;
        progress($"raw ONNX Runtime, {images.Count} images, batch size {best}");
        return (Pass(session, model, images, images.Count, best), sweep);
    }

    private static ThroughputResult Pass(InferenceSession session, CrnnOnnxModel model, BenchImages images, int count, int batch)
    {
        int size = model.InputSize, classes = model.ClassCount;
        var probabilities = new float[count * classes];
        var inputs = new List<OrtValue>();
        var outputs = new List<OrtValue>();
        try
        {
            for (int start = 0; start < count; start += batch)
            {
                int n = Math.Min(batch, count - start);
                inputs.Add(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance,
                    images.Normalized.AsMemory(start * size, n * size), [n, 1, model.InputHeight, model.InputWidth]));
                outputs.Add(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance,
                    probabilities.AsMemory(start * classes, n * classes), [n, classes]));
            }
            string[] inputNames = [model.Metadata.Input.Name], outputNames = [model.Metadata.Output.Probabilities];
            using var runOptions = new RunOptions();
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < inputs.Count; i++)
                session.Run(runOptions, inputNames, [inputs[i]], outputNames, [outputs[i]]);
            sw.Stop();
            var predicted = new int[count];
            for (int i = 0; i < count; i++) predicted[i] = BenchImages.ArgMax(probabilities.AsSpan(i * classes, classes));
            return new ThroughputResult(count, sw.Elapsed.TotalSeconds, images.Accuracy(predicted), batch);
        }
        finally
        {
            foreach (var v in inputs) v.Dispose();
            foreach (var v in outputs) v.Dispose();
        }
    }
}
