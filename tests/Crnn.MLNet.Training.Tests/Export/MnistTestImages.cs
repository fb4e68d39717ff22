using Crnn.MLNet.Training.Data;
using static TorchSharp.torch;

namespace Crnn.MLNet.Training.Tests.Export;

/// <summary>
/// The MNIST test split, read with the data layer's <see cref="DatasetLoader"/> from <c>$CRNN_DATA_DIR</c>
/// (never downloaded), loaded once per test run.
/// </summary>
public static class MnistTestImages
{
    public const string DataDirVariable = DatasetLoader.DataDirEnvironmentVariable;
    public const string ImagesFile = "t10k-images-idx3-ubyte.gz";
    public const string LabelsFile = "t10k-labels-idx1-ubyte.gz";

    /// <summary>MNIST's usual normalisation (mean and std of the training pixels in [0, 1]).</summary>
    public const double Mean = 0.1307, Std = 0.3081;

    private static readonly Lazy<CharacterDataset> Cached = new(Load);

    public static CharacterDataset Test => Cached.Value;

    /// <summary>Why the MNIST files cannot be used, or <c>null</c> when they are there.</summary>
    public static string? MissingReason()
    {
        string? dir = Environment.GetEnvironmentVariable(DataDirVariable);
        if (string.IsNullOrWhiteSpace(dir))
            return $"{DataDirVariable} is not set; set it to the datasets folder holding mnist/{ImagesFile} to run the MNIST parity tests";
        foreach (string file in new[] { ImagesFile, LabelsFile })
        {
            string path = Path.Combine(dir, "mnist", file);
            if (!File.Exists(path) && !File.Exists(Path.ChangeExtension(path, null))) return $"{DataDirVariable} is set but mnist/{file} is not in it";
        }
        return null;
    }

    /// <summary>Images <c>[start, start+count)</c> as a normalised <c>N x 1 x 28 x 28</c> float array, MNIST-normalised.</summary>
    public static float[] Normalised(CharacterDataset data, int start, int count)
    {
        int pixels = data.PixelsPerImage;
        var result = new float[count * pixels];
        var bytes = data.Images.AsSpan(start * pixels, count * pixels);
        for (int i = 0; i < bytes.Length; i++)
            result[i] = (float)((bytes[i] / 255.0 - Mean) / Std);
        return result;
    }

    /// <summary>The same images as a TorchSharp tensor <c>N x 1 x H x W</c>.</summary>
    public static Tensor Batch(CharacterDataset data, int start, int count) =>
        tensor(Normalised(data, start, count), new long[] { count, 1, data.Height, data.Width });

    private static CharacterDataset Load() =>
        DatasetLoader.Load(new DatasetRequest("mnist", Environment.GetEnvironmentVariable(DataDirVariable), AllowDownload: false), DatasetSplit.Test);
}
