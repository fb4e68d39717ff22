using System.Diagnostics;
using Crnn.MLNet.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Crnn.MLNet.Cli.Bench;

/// <summary>
/// Our ML.NET pipeline (<c>AppendCrnnClassifier</c>), timed from <c>Transform</c> through reading every row's
/// <c>PredictedLabel</c> and <c>Score</c>. Fitting and a short warm-up pass are not timed.
/// </summary>
internal static class PipelineBench
{
    private const int WarmUpImages = 256;

    /// <summary>From in-memory pixel vectors (polarity by border, no reframing: MNIST rows are already framed).</summary>
    public static ThroughputResult FromPixels(string modelPath, BenchImages images)
    {
        var ml = new MLContext(seed: 1);
        var data = PixelRow.View(ml, images.Pixels, images.Width * images.Height);
        var warmUp = PixelRow.View(ml, images.Pixels.Take(WarmUpImages), images.Width * images.Height);
        return Measure(ml, modelPath, data, warmUp, images);
    }

    /// <summary>From PNG files on disk: reading, decoding, cropping, fitting and centring are all timed.</summary>
    public static ThroughputResult FromFiles(string modelPath, IReadOnlyList<string> paths, BenchImages images)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(paths.Select(p => new PathRow { Image = p }));
        var warmUp = ml.Data.LoadFromEnumerable(paths.Take(WarmUpImages).Select(p => new PathRow { Image = p }));
        return Measure(ml, modelPath, data, warmUp, images);
    }

    private static ThroughputResult Measure(MLContext ml, string modelPath, IDataView data, IDataView warmUp, BenchImages images)
    {
        var options = new CrnnClassifierOptions();
        using var model = new EstimatorChain<ITransformer>().AppendCrnnClassifier(ml, modelPath, options).Fit(data);
        Read(model.Transform(warmUp), new int[WarmUpImages]);
        var predicted = new int[images.Count];
        var sw = Stopwatch.StartNew();
        int n = Read(model.Transform(data), predicted);
        sw.Stop();
        return new ThroughputResult(n, sw.Elapsed.TotalSeconds, images.Accuracy(predicted.AsSpan(0, n)), options.Scorer.BatchSize);
    }

    private static int Read(IDataView scored, int[] predicted)
    {
        var label = scored.Schema[CrnnDefaults.PredictedLabelColumnName];
        var score = scored.Schema[CrnnDefaults.ScoreColumnName];
        using var cursor = scored.GetRowCursor([label, score]);
        var getLabel = cursor.GetGetter<uint>(label);
        var getScore = cursor.GetGetter<VBuffer<float>>(score);
        uint key = 0;
        VBuffer<float> scores = default;
        int n = 0;
        while (cursor.MoveNext())
        {
            getLabel(ref key);
            getScore(ref scores);
            if (n < predicted.Length) predicted[n] = (int)key - 1;
            n++;
        }
        return n;
    }
}
