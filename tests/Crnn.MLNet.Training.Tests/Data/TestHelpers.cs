using System.IO.Compression;
using Crnn.MLNet.Training.Data;

namespace Crnn.MLNet.Training.Tests.Data;

/// <summary>A temporary folder deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "crnn-tests-" + Guid.NewGuid().ToString("N"));

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>All files under the folder, relative, sorted.</summary>
    public string[] Files(string sub = "") =>
        Directory.Exists(Combine(sub))
            ? Directory.EnumerateFiles(Combine(sub), "*", SearchOption.AllDirectories).Select(f => System.IO.Path.GetRelativePath(Path, f)).Order().ToArray()
            : [];

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Small synthetic IDX data.</summary>
internal static class Synthetic
{
    /// <summary>Images whose every pixel encodes image, row and column, so any mix-up shows.</summary>
    public static byte[] Pixels(int count, int rows, int cols)
    {
        var pixels = new byte[count * rows * cols];
        for (int n = 0; n < count; n++)
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                    pixels[(n * rows + r) * cols + c] = (byte)(n * 37 + r * 11 + c * 3 + 1);
        return pixels;
    }

    public static byte[] Labels(int count, int classes, int offset = 0) =>
        Enumerable.Range(0, count).Select(i => (byte)(i % classes + offset)).ToArray();

    /// <summary>Writes one split (<paramref name="prefix"/>-images/-labels) into <paramref name="folder"/>.</summary>
    public static void WriteSplit(string folder, string prefix, int count, byte[] labels, bool gzip = true, int rows = 4, int cols = 3)
    {
        Directory.CreateDirectory(folder);
        string gz = gzip ? ".gz" : "";
        IdxWriter.WriteImages(Path.Combine(folder, $"{prefix}-images-idx3-ubyte{gz}"), Pixels(count, rows, cols), count, rows, cols, gzip);
        IdxWriter.WriteLabels(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte{gz}"), labels, gzip);
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest)) gz.Write(data);
        return output.ToArray();
    }
}
