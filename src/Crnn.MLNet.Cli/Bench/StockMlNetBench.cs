using System.Diagnostics;
using System.Globalization;
using Crnn.MLNet.Model;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Crnn.MLNet.Cli.Bench;

/// <summary>
/// Stock ML.NET on the same pixel vectors: an <c>Expression</c> doing the model's <c>(x / 255 - mean) / std</c>, then
/// <c>ApplyOnnxModel</c> on the same model, reading <c>probabilities</c> (arg-max taken while reading). ML.NET's
/// <c>OnnxTransformer</c> runs the session once per row.
/// </summary>
internal static class StockMlNetBench
{
    private const int WarmUpImages = 64;

    public static ThroughputResult Run(CrnnOnnxModel model, string modelPath, BenchImages images)
    {
        var ml = new MLContext(seed: 1);
        int size = images.Width * images.Height;
        var data = PixelRow.View(ml, images.Pixels, size);
        var norm = model.Metadata.Normalization;
        string input = model.Metadata.Input.Name, output = model.Metadata.Output.Probabilities;
        string expression = string.Create(CultureInfo.InvariantCulture, $"x : (x / 255 - {norm.Mean:R}) / {norm.Std:R}");
        var pipeline = ml.Transforms.Expression(input, expression, nameof(PixelRow.Image))
            .Append(ml.Transforms.ApplyOnnxModel([output], [input], modelPath));
        using var fitted = pipeline.Fit(data);
        Read(fitted.Transform(PixelRow.View(ml, images.Pixels.Take(WarmUpImages), size)), output, new int[WarmUpImages]);
        var predicted = new int[images.Count];
        var sw = Stopwatch.StartNew();
        int n = Read(fitted.Transform(data), output, predicted);
        sw.Stop();
        return new ThroughputResult(n, sw.Elapsed.TotalSeconds, images.Accuracy(predicted.AsSpan(0, n)), 1);
    }

    private static int Read(IDataView scored, string column, int[] predicted)
    {
        var probabilities = scored.Schema[column];
        using var cursor = scored.GetRowCursor([probabilities]);
        var get = cursor.GetGetter<VBuffer<float>>(probabilities);
        VBuffer<float> p = default;
        int n = 0;
        while (cursor.MoveNext())
        {
            get(ref p);
            if (n < predicted.Length) predicted[n] = BenchImages.ArgMax(p.GetValues());
            n++;
        }
        return n;
    }
}
