using Crnn.MLNet.Training.Data;

namespace Crnn.MLNet.Cli.Tests.Reliability;

/// <summary>A custom dataset folder of a few synthetic 28 x 28 IDX images (classes 0..9), for commands that must get past loading.</summary>
internal static class TinyDataset
{
    public static string Write(string folder, int count = 40, byte? badLabel = null)
    {
        Directory.CreateDirectory(folder);
        var rng = new Random(3);
        var pixels = new byte[count * 784];
        rng.NextBytes(pixels);
        var labels = Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();
        if (badLabel is byte b) labels[count / 2] = b;
        IdxWriter.WriteImages(Path.Combine(folder, "train-images-idx3-ubyte"), pixels, count, 28, 28);
        IdxWriter.WriteLabels(Path.Combine(folder, "train-labels-idx1-ubyte"), labels);
        if (badLabel is not null)
            File.WriteAllLines(Path.Combine(folder, "mapping.txt"), Enumerable.Range(0, 10).Select(i => $"{i} {48 + i}"));
        return folder;
    }

    /// <summary>Arguments for the smallest, fastest training run.</summary>
    public static string[] TrainArgs(string dataset, string outDir, int epochs = 1, int batchSize = 16) =>
        ["train", "--dataset", dataset, "--out", outDir, "--epochs", epochs.ToString(), "--widths", "4", "--convs-per-block", "1", "--hidden", "4",
         "--batch-size", batchSize.ToString(), "--threads", "1", "--no-export"];
}
