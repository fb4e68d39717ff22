using System.Diagnostics;
using System.Globalization;
using Crnn.MLNet.Model;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

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

    /// <summary>
    /// What a user of stock ML.NET writes for image files: <c>LoadImages</c>, <c>ResizeImages</c> to the model's size,
    /// <c>ExtractPixels</c> (one channel of the gray PNG, scaled and offset to the model's normalisation) and
    /// <c>ApplyOnnxModel</c>, on the same PNG files as our pipeline from files.
    /// </summary>
    public static ThroughputResult FromFiles(CrnnOnnxModel model, string modelPath, IReadOnlyList<string> paths, BenchImages images)
    {
        var ml = new MLContext(seed: 1);
        var norm = model.Metadata.Normalization;
        string input = model.Metadata.Input.Name, output = model.Metadata.Output.Probabilities;
        var pipeline = ml.Transforms.LoadImages("Loaded", imageFolder: null, inputColumnName: nameof(PathRow.Image))
            .Append(ml.Transforms.ResizeImages("Resized", model.InputWidth, model.InputHeight, "Loaded"))
            // ExtractPixels computes (pixel - offset) x scale: here (pixel - 255 mean) / (255 std) = (pixel / 255 - mean) / std.
            .Append(ml.Transforms.ExtractPixels(input, "Resized", ImagePixelExtractingEstimator.ColorBits.Red,
                offsetImage: (float)(255 * norm.Mean), scaleImage: (float)(1 / (255 * norm.Std))))
            .Append(ml.Transforms.ApplyOnnxModel([output], [input], modelPath));
        IDataView Rows(IEnumerable<string> files) => ml.Data.LoadFromEnumerable(files.Select(p => new PathRow { Image = p }));
        var data = Rows(paths);
        using var fitted = pipeline.Fit(data);
        Read(fitted.Transform(Rows(paths.Take(WarmUpImages))), output, new int[WarmUpImages]);
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
