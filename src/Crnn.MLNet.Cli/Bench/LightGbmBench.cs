using System.Diagnostics;
using Crnn.MLNet.Training.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Crnn.MLNet.Cli.Bench;

/// <summary>
/// Stock ML.NET without a neural network, as a reference point: LightGBM (its defaults) trained on the raw pixels of the
/// dataset's training split, then timed like our pipeline: <c>Transform</c> over the same pixel vectors, reading
/// <c>PredictedLabel</c>. Training is not timed.
/// </summary>
internal static class LightGbmBench
{
    private const int WarmUpImages = 256;

    /// <param name="Scoring">Throughput and accuracy on the bench images.</param>
    internal sealed record Result(ThroughputResult Scoring, int TrainImages, double TrainSeconds);

    private sealed class LabeledRow
    {
        public float[] Image { get; set; } = [];
        public string Label { get; set; } = "";
    }

    public static Result Run(CharacterDataset train, BenchImages images, int trainImages, Action<string> progress)
    {
        var ml = new MLContext(seed: 1);
        int size = images.Width * images.Height;
        if (train.Height != images.Height || train.Width != images.Width)
            throw new InvalidDataException($"{train.Name}: training images are {train.Width}x{train.Height}, the bench images {images.Width}x{images.Height}.");
        train = train.Take(Math.Min(trainImages, train.Count));
        var schema = SchemaDefinition.Create(typeof(LabeledRow));
        schema[nameof(LabeledRow.Image)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        var rows = Enumerable.Range(0, train.Count).Select(i =>
        {
            var image = train.Image(i);
            var pixels = new float[size];
            for (int j = 0; j < size; j++) pixels[j] = image[j];
            return new LabeledRow { Image = pixels, Label = train.LabelNames[train.Labels[i]] };
        });
        var data = ml.Data.LoadFromEnumerable(rows.ToList(), schema);
        progress($"LightGBM on pixels: training on {train.Count} images (not timed)");
        var trainClock = Stopwatch.StartNew();
        var trained = ml.Transforms.Conversion.MapValueToKey(nameof(LabeledRow.Label))
            .Append(ml.MulticlassClassification.Trainers.LightGbm(nameof(LabeledRow.Label), nameof(LabeledRow.Image)))
            .Fit(data);
        double trainSeconds = trainClock.Elapsed.TotalSeconds;
        // Scoring needs only the trees: the label column is not part of the bench rows.
        var scorer = trained.LastTransformer;

        progress($"LightGBM on pixels: scoring {images.Count} images");
        var view = PixelRow.View(ml, images.Pixels, size);
        Read(scorer.Transform(PixelRow.View(ml, images.Pixels.Take(WarmUpImages), size)), new string[WarmUpImages]);
        var predicted = new string[images.Count];
        var sw = Stopwatch.StartNew();
        int n = Read(scorer.Transform(view), predicted);
        sw.Stop();
        int right = 0;
        for (int i = 0; i < n; i++)
            if (predicted[i] == images.Data.LabelNames[images.Data.Labels[i]]) right++;
        return new Result(new ThroughputResult(n, sw.Elapsed.TotalSeconds, n == 0 ? double.NaN : (double)right / n, 1), train.Count, trainSeconds);
    }

    /// <summary>Reads every row's predicted key and turns it into its label through the key's values.</summary>
    private static int Read(IDataView scored, string[] predicted)
    {
        var column = scored.Schema["PredictedLabel"];
        VBuffer<ReadOnlyMemory<char>> names = default;
        column.GetKeyValues(ref names);
        var labels = names.DenseValues().Select(v => v.ToString()).ToArray();
        using var cursor = scored.GetRowCursor([column]);
        var get = cursor.GetGetter<uint>(column);
        uint key = 0;
        int n = 0;
        while (cursor.MoveNext())
        {
            get(ref key);
            if (n < predicted.Length) predicted[n] = key >= 1 && key <= labels.Length ? labels[key - 1] : "";
            n++;
        }
        return n;
    }
}
