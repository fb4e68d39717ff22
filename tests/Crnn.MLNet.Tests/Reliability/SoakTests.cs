using System.Diagnostics;
using Crnn.MLNet.Model;
using Crnn.MLNet.Recognition;
using Crnn.MLNet.Tests.Support;
using Crnn.MLNet.Transforms;
using Microsoft.ML;
using Xunit.Abstractions;

namespace Crnn.MLNet.Tests.Reliability;

/// <summary>
/// 100,000 predictions (8 threads on a shared recogniser; then one prediction engine) with the managed heap and the
/// working set sampled every 10,000 after a warm-up: both must stay flat. <c>CRNN_SOAK_PREDICTIONS</c> sets a longer run.
/// </summary>
[Collection(LoadTestCollection.Name)]
public class SoakTests(ITestOutputHelper output)
{
    private static int Predictions =>
        int.TryParse(Environment.GetEnvironmentVariable("CRNN_SOAK_PREDICTIONS"), out int n) && n >= 20_000 ? n : 100_000;

    private const int Interval = 10_000;

    private sealed record Sample(long Done, long HeapBytes, long WorkingSetBytes);

    private static Sample Measure(long done)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var self = Process.GetCurrentProcess();
        return new Sample(done, GC.GetTotalMemory(forceFullCollection: true), self.WorkingSet64);
    }

    private void Check(string what, List<Sample> samples, TimeSpan elapsed)
    {
        foreach (var s in samples)
            output.WriteLine($"{what}: {s.Done,9:N0} predictions  heap {s.HeapBytes / 1048576.0,7:F1} MiB  working set {s.WorkingSetBytes / 1048576.0,7:F1} MiB");
        output.WriteLine($"{what}: {samples[^1].Done:N0} predictions in {elapsed.TotalSeconds:F1} s ({ScoringWorkload.ModelDescription})");
        // Flat after warm-up: the first sample is taken after 10,000 predictions.
        var first = samples[0];
        var last = samples[^1];
        Assert.True(last.HeapBytes - first.HeapBytes < 4L << 20, $"{what}: managed heap grew from {first.HeapBytes:N0} to {last.HeapBytes:N0} bytes");
        long peakWs = samples.Max(s => s.WorkingSetBytes);
        Assert.True(peakWs - first.WorkingSetBytes < 64L << 20, $"{what}: working set grew from {first.WorkingSetBytes:N0} to {peakWs:N0} bytes");
    }

    [Fact]
    public void Shared_recognizer_memory_stays_flat_over_many_predictions()
    {
        var (images, _) = ScoringWorkload.Images(Interval);
        using var recognizer = new CrnnRecognizer(CrnnOnnxModel.FromBytes(ScoringWorkload.ModelBytes(), "model"), ownsModel: true);
        var samples = new List<Sample>();
        long done = 0;
        var clock = Stopwatch.StartNew();
        while (done < Predictions)
        {
            // One interval: 8 threads share the 10,000 images.
            Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
            {
                for (int i = t; i < images.Length; i += 8) recognizer.Predict(images[i], 28, 28);
            });
            done += images.Length;
            samples.Add(Measure(done));
        }
        Check("recognizer", samples, clock.Elapsed);
    }

    [Fact]
    public void Prediction_engine_memory_stays_flat_over_many_predictions()
    {
        var (images, _) = ScoringWorkload.Images(Interval);
        using var dir = new TempDir();
        string modelPath = TestModels.WriteTemp(dir, ScoringWorkload.ModelBytes());
        var ml = new MLContext(1);
        var rows = images.Select(img => new ConcurrencyTests.Row { Image = img }).ToArray();
        var model = ml.Transforms.ClassifyHandwriting(modelPath).Fit(ml.Data.LoadFromEnumerable(rows));
        using var engine = ml.Model.CreatePredictionEngine<ConcurrencyTests.Row, ConcurrencyTests.Scored>(model);
        var samples = new List<Sample>();
        long done = 0;
        var clock = Stopwatch.StartNew();
        while (done < Predictions)
        {
            foreach (var row in rows) engine.Predict(row);
            done += rows.Length;
            samples.Add(Measure(done));
        }
        Check("prediction engine", samples, clock.Elapsed);
    }
}
