using System.Buffers.Binary;
using System.IO.Compression;

namespace Crnn.MLNet.Training.Data;

/// <summary>Writes IDX image and label files (the MNIST format), plain or gzipped, e.g. to build a custom dataset folder.</summary>
public static class IdxWriter
{
    /// <summary>Writes <paramref name="count"/> row-major images of <paramref name="rows"/> x <paramref name="cols"/> bytes.</summary>
    public static void WriteImages(string path, ReadOnlySpan<byte> pixels, int count, int rows, int cols, bool gzip = false)
    {
        if (count < 0 || rows <= 0 || cols <= 0) throw new ArgumentOutOfRangeException(nameof(count), $"invalid shape {count}x{rows}x{cols}");
        if (pixels.Length != (long)count * rows * cols)
            throw new ArgumentException($"{pixels.Length} pixel bytes do not hold {count} images of {rows}x{cols}.", nameof(pixels));
        Span<byte> header = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(header, IdxReader.ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], count);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], rows);
        BinaryPrimitives.WriteInt32BigEndian(header[12..], cols);
        Write(path, header, pixels, gzip);
    }

    /// <summary>Writes one label byte per item.</summary>
    public static void WriteLabels(string path, ReadOnlySpan<byte> labels, bool gzip = false)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(header, IdxReader.LabelsMagic);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], labels.Length);
        Write(path, header, labels, gzip);
    }

    /// <summary>
    /// Writes a dataset as one split of a custom dataset folder (<c>train-</c> or <c>test-images-idx3-ubyte[.gz]</c> and
    /// <c>-labels-idx1-ubyte[.gz]</c>); labels must be below 256. No <c>mapping.txt</c> is written.
    /// </summary>
    public static void WriteSplit(string folder, DatasetSplit split, CharacterDataset dataset, bool gzip = true)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (dataset.ClassCount > 256) throw new ArgumentException($"{dataset.Name}: IDX labels are bytes; {dataset.ClassCount} classes do not fit.", nameof(dataset));
        Directory.CreateDirectory(folder);
        string prefix = split == DatasetSplit.Train ? "train" : "test";
        string suffix = gzip ? ".gz" : "";
        var labels = new byte[dataset.Count];
        for (int i = 0; i < labels.Length; i++) labels[i] = (byte)dataset.Labels[i];
        WriteImages(Path.Combine(folder, $"{prefix}-images-idx3-ubyte{suffix}"), dataset.Images, dataset.Count, dataset.Height, dataset.Width, gzip);
        WriteLabels(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte{suffix}"), labels, gzip);
    }

    private static void Write(string path, ReadOnlySpan<byte> header, ReadOnlySpan<byte> data, bool gzip)
    {
        using var file = File.Create(path);
        using Stream stream = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        stream.Write(header);
        stream.Write(data);
    }
}
