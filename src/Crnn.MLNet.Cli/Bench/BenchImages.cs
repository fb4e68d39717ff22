using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;
using Crnn.MLNet.Training.Data;

namespace Crnn.MLNet.Cli.Bench;

/// <summary>
/// The test images every step scores, held in memory before any timing: as pixel vectors (floats 0..255, what the
/// pipelines read) and already normalised (what raw ONNX Runtime and TorchSharp read), with each image's expected
/// class index in the model's labels (-1 when the model has no such label) to check that each step really scored.
/// </summary>
internal sealed class BenchImages
{
    private BenchImages(CharacterDataset data, float[][] pixels, float[] normalized, int[] expected)
    {
        Data = data;
        Pixels = pixels;
        Normalized = normalized;
        Expected = expected;
    }

    public CharacterDataset Data { get; }
    public int Count => Pixels.Length;
    public int Width => Data.Width;
    public int Height => Data.Height;
    public float[][] Pixels { get; }

    /// <summary><see cref="Count"/> model inputs one after the other (Height x Width floats each).</summary>
    public float[] Normalized { get; }

    public int[] Expected { get; }

    public static BenchImages Create(CharacterDataset data, CrnnOnnxModel model, int count)
    {
        if (data.Height != model.InputHeight || data.Width != model.InputWidth)
            throw new InvalidDataException($"the dataset's images are {data.Width}x{data.Height}, the model takes {model.InputWidth}x{model.InputHeight}.");
        data = data.Take(Math.Min(count, data.Count));
        int size = model.InputSize;
        var pixels = new float[data.Count][];
        var normalized = new float[data.Count * size];
        // The pipelines' normaliser for pixel vectors (polarity from the border, no reframing), so every step scores the same tensors.
        var normalizer = new HandwritingNormalizer(model.Metadata, InkPolarity.Auto, CharacterFraming.None);
        var classOf = model.Labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i);
        var expected = new int[data.Count];
        for (int i = 0; i < data.Count; i++)
        {
            var image = data.Image(i);
            var row = new float[size];
            for (int j = 0; j < size; j++) row[j] = image[j];
            pixels[i] = row;
            normalizer.Normalize(image, data.Width, data.Height, normalized.AsSpan(i * size, size));
            expected[i] = classOf.GetValueOrDefault(data.LabelNames[data.Labels[i]], -1);
        }
        return new BenchImages(data, pixels, normalized, expected);
    }

    /// <summary>Fraction of <paramref name="predicted"/> class indices equal to the expected ones.</summary>
    public double Accuracy(ReadOnlySpan<int> predicted)
    {
        int n = Math.Min(predicted.Length, Count), right = 0;
        for (int i = 0; i < n; i++) if (predicted[i] == Expected[i]) right++;
        return n == 0 ? double.NaN : (double)right / n;
    }

    /// <summary>Index of the largest of <paramref name="scores"/>.</summary>
    public static int ArgMax(ReadOnlySpan<float> scores)
    {
        int best = 0;
        for (int i = 1; i < scores.Length; i++) if (scores[i] > scores[best]) best = i;
        return best;
    }
}
