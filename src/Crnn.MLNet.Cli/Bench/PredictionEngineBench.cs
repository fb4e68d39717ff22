using System.Diagnostics;
using Crnn.MLNet.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Crnn.MLNet.Cli.Bench;

/// <summary>Single-image latency through ML.NET's <c>PredictionEngine</c> over our classifier, from a pixel vector.</summary>
internal static class PredictionEngineBench
{
    private const int WarmUp = 100;

    public static LatencyResult Run(string modelPath, BenchImages images, int samples)
    {
        var ml = new MLContext(seed: 1);
        int size = images.Width * images.Height;
        using var model = new EstimatorChain<ITransformer>().AppendCrnnClassifier(ml, modelPath)
            .Fit(PixelRow.View(ml, images.Pixels.Take(1), size));
        var schema = SchemaDefinition.Create(typeof(PixelRow));
        schema[nameof(PixelRow.Image)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        using var engine = ml.Model.CreatePredictionEngine<PixelRow, ScoredRow>(model, inputSchemaDefinition: schema);
        var row = new PixelRow();
        var output = new ScoredRow();
        for (int i = 0; i < Math.Min(WarmUp, images.Count); i++)
        {
            row.Image = images.Pixels[i];
            engine.Predict(row, ref output);
        }
        var micros = new double[samples];
        var predicted = new int[samples];
        var expected = new int[samples];
        for (int i = 0; i < samples; i++)
        {
            int k = i % images.Count;
            row.Image = images.Pixels[k];
            long t0 = Stopwatch.GetTimestamp();
            engine.Predict(row, ref output);
            micros[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            predicted[i] = (int)output.PredictedLabel - 1;
            expected[i] = images.Expected[k];
        }
        Array.Sort(micros);
        int right = 0;
        for (int i = 0; i < samples; i++) if (predicted[i] == expected[i]) right++;
        return new LatencyResult(samples, Percentile(micros, 0.5), Percentile(micros, 0.99), samples == 0 ? double.NaN : (double)right / samples);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    internal static double Percentile(double[] sorted, double q)
    {
        if (sorted.Length == 0) return double.NaN;
        int rank = (int)Math.Ceiling(q * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
