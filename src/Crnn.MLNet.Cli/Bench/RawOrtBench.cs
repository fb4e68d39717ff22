using System.Diagnostics;
using Crnn.MLNet.Model;
using Microsoft.ML.OnnxRuntime;

namespace Crnn.MLNet.Cli.Bench;

/// <summary>How raw ONNX Runtime spreads the work over the cores.</summary>
internal enum RawOrtMode
{
    /// <summary>One run at a time on a session with ONNX Runtime's default intra-op threads (one per core): what the pipeline does.</summary>
    Sequential,

    /// <summary>One run per core at the same time, each on its own batch, in a session with one intra-op thread.</summary>
    DataParallel,
}

/// <summary>One point of the raw ONNX Runtime sweep.</summary>
internal sealed record RawOrtPoint(RawOrtMode Mode, int BatchSize, double ImagesPerSecond);

/// <summary>
/// The reference: the model's ONNX Runtime session run directly on the normalised images, batched, with input and
/// output tensors created over the in-memory arrays before timing (no copies). Tries each batch size in both
/// <see cref="RawOrtMode"/>s on a slice of the images and reports the fastest combination on all of them.
/// </summary>
internal static class RawOrtBench
{
    private const int SweepImages = 2048;
    private const int WarmUpImages = 512;

    public static (ThroughputResult Best, RawOrtMode BestMode, IReadOnlyList<RawOrtPoint> Sweep) Run(
        CrnnOnnxModel model, string modelPath, BenchImages images, IReadOnlyList<int> batchSizes, Action<string> progress)
    {
        // The settings CrnnOnnxModel opens its sessions with (ORT_ENABLE_ALL, default threads) ...
        using var sequentialOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        // ... and the same with one intra-op thread, for one concurrent run per core.
        using var parallelOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = 1 };
        using var sequential = new InferenceSession(modelPath, sequentialOptions);
        using var parallel = new InferenceSession(modelPath, parallelOptions);
        int workers = Math.Max(1, Environment.ProcessorCount);

        var sweep = new List<RawOrtPoint>();
        int sweepCount = Math.Min(SweepImages, images.Count);
        foreach (var mode in new[] { RawOrtMode.Sequential, RawOrtMode.DataParallel })
            foreach (int b in batchSizes)
            {
                progress($"raw ONNX Runtime, {Describe(mode, workers)}, batch size {b}");
                var session = mode == RawOrtMode.Sequential ? sequential : parallel;
                int runners = mode == RawOrtMode.Sequential ? 1 : workers;
                Pass(session, model, images, Math.Min(WarmUpImages, sweepCount), b, runners); // first runs of a shape allocate
                sweep.Add(new RawOrtPoint(mode, b, Pass(session, model, images, sweepCount, b, runners).ImagesPerSecond));
            }
        var best = sweep.MaxBy(s => s.ImagesPerSecond)!;
        progress($"raw ONNX Runtime, {images.Count} images, {Describe(best.Mode, workers)}, batch size {best.BatchSize}");
        var result = Pass(best.Mode == RawOrtMode.Sequential ? sequential : parallel, model, images, images.Count, best.BatchSize,
            best.Mode == RawOrtMode.Sequential ? 1 : workers);
        return (result, best.Mode, sweep);
    }

    internal static string Describe(RawOrtMode mode, int workers) => mode == RawOrtMode.Sequential
        ? "one run at a time, default intra-op threads"
        : $"{workers} concurrent runs, 1 intra-op thread each";

    /// <summary>
    /// Scores the first <paramref name="count"/> images in batches of <paramref name="batch"/>: <paramref name="runners"/>
    /// threads each take every <paramref name="runners"/>-th batch (one thread: the batches in order).
    /// </summary>
    private static ThroughputResult Pass(InferenceSession session, CrnnOnnxModel model, BenchImages images, int count, int batch, int runners)
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
            // Each runner catches its own failure: an exception escaping a thread would end the process.
            var failures = new Exception?[runners];
            void RunShare(int first)
            {
                try
                {
                    using var runOptions = new RunOptions();
                    for (int i = first; i < inputs.Count; i += runners)
                        session.Run(runOptions, inputNames, [inputs[i]], outputNames, [outputs[i]]);
                }
                catch (Exception e) { failures[first] = e; }
            }
            var threads = new Thread[runners - 1];
            for (int t = 0; t < threads.Length; t++)
            {
                int first = t + 1;
                threads[t] = new Thread(() => RunShare(first)) { IsBackground = true, Name = $"rawOrt {first}" };
            }
            var sw = Stopwatch.StartNew();
            foreach (var t in threads) t.Start();
            RunShare(0);
            foreach (var t in threads) t.Join();
            sw.Stop();
            if (failures.FirstOrDefault(e => e is not null) is { } failed)
                throw new InvalidOperationException($"raw ONNX Runtime failed: {failed.Message}", failed);
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
