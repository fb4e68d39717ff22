using System.Collections.Concurrent;
using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;
using Crnn.MLNet.Recognition;
using Crnn.MLNet.Tests.Support;
using Crnn.MLNet.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit.Abstractions;

namespace Crnn.MLNet.Tests.Reliability;

/// <summary>
/// 8 threads score the same 10,000 images at once (a shared recogniser, one prediction engine per thread, and
/// <c>Transform</c> on one shared fitted pipeline) and must get exactly (bit for bit) the single-threaded results.
/// </summary>
[Collection(LoadTestCollection.Name)]
public class ConcurrencyTests(ITestOutputHelper output)
{
    private const int Threads = 8;
    private const int Images = 10_000;

    public sealed class Row
    {
        [VectorType(784)] public byte[] Image { get; set; } = [];
    }

    public sealed class Scored
    {
        public float[] Score { get; set; } = [];
        public string PredictedLabelText { get; set; } = "";
    }

    private static void RunThreads(Action<int> body)
    {
        var errors = new ConcurrentQueue<Exception>();
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            try { body(t); } catch (Exception e) { errors.Enqueue(e); }
        })).ToArray();
        foreach (var th in threads) th.Start();
        foreach (var th in threads) th.Join();
        if (!errors.IsEmpty) throw new AggregateException(errors);
    }

    private static int Mismatches(float[][] expected, float[][] actual)
    {
        int bad = 0;
        for (int i = 0; i < expected.Length; i++)
            if (!expected[i].AsSpan().SequenceEqual(actual[i])) bad++;
        return bad;
    }

    [Fact]
    public void Eight_threads_on_a_shared_recognizer_score_exactly_like_one()
    {
        var (images, source) = ScoringWorkload.Images(Images);
        using var recognizer = new CrnnRecognizer(CrnnOnnxModel.FromBytes(ScoringWorkload.ModelBytes(), "model"), ownsModel: true);
        var single = images.Select(img => recognizer.Predict(img, 28, 28).Probabilities).ToArray();
        var results = new float[Threads][][];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        RunThreads(t =>
        {
            var mine = new float[Images][];
            // Each thread walks the images from a different start, so different images are in flight at once.
            for (int n = 0, i = t * Images / Threads; n < Images; n++, i = (i + 1) % Images)
                mine[i] = recognizer.Predict(images[i], 28, 28).Probabilities;
            results[t] = mine;
        });
        output.WriteLine($"recognizer: {Threads} x {Images:N0} {source} images ({ScoringWorkload.ModelDescription}) in {clock.Elapsed.TotalSeconds:F1} s");
        for (int t = 0; t < Threads; t++) Assert.Equal(0, Mismatches(single, results[t]));
    }

    [Fact]
    public void Eight_prediction_engines_and_shared_transforms_score_exactly_like_one()
    {
        var (images, source) = ScoringWorkload.Images(Images);
        using var dir = new TempDir();
        string modelPath = TestModels.WriteTemp(dir, ScoringWorkload.ModelBytes());
        var ml = new MLContext(1);
        var rows = images.Select(img => new Row { Image = img }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.ClassifyHandwriting(modelPath).Fit(data);

        var single = model.Transform(data).GetColumn<float[]>("Score").ToArray();
        var engineOne = ml.Model.CreatePredictionEngine<Row, Scored>(model);
        var singleEngine = rows.Select(r => engineOne.Predict(r).Score).ToArray();
        Assert.Equal(0, Mismatches(single, singleEngine));

        var engines = new float[Threads][][];
        var transforms = new float[Threads][][];
        Crnn.MLNet.Model.CpuRunGate.ResetPeak();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        RunThreads(t =>
        {
            // PredictionEngine is not thread-safe: one per thread, from the shared fitted model.
            var engine = ml.Model.CreatePredictionEngine<Row, Scored>(model);
            var mine = new float[Images][];
            for (int n = 0, i = t * Images / Threads; n < Images; n++, i = (i + 1) % Images)
                mine[i] = engine.Predict(rows[i]).Score;
            engines[t] = mine;
            transforms[t] = model.Transform(data).GetColumn<float[]>("Score").ToArray();
        });
        output.WriteLine($"engines + transforms: {Threads} x 2 x {Images:N0} {source} images ({ScoringWorkload.ModelDescription}) in {clock.Elapsed.TotalSeconds:F1} s");
        // Eight cursors each keep a batch per core in flight, yet no more runs than cores execute at once.
        output.WriteLine($"most single-threaded runs at once: {Crnn.MLNet.Model.CpuRunGate.Peak} (cores: {Crnn.MLNet.Model.CpuRunGate.Capacity})");
        Assert.InRange(Crnn.MLNet.Model.CpuRunGate.Peak, 1, Crnn.MLNet.Model.CpuRunGate.Capacity);
        for (int t = 0; t < Threads; t++)
        {
            Assert.Equal(0, Mismatches(single, engines[t]));
            Assert.Equal(0, Mismatches(single, transforms[t]));
        }
    }
}
