using System.IO.Compression;

namespace Crnn.MLNet.Benchmarks;

/// <summary>
/// The model and images the benchmarks use: <c>CRNN_BENCH_MODEL</c>, else <c>models/mnist-crnn.onnx</c> above the
/// benchmark's folder; MNIST test images from <c>CRNN_DATA_DIR/mnist</c> when present, else drawn strokes.
/// </summary>
internal static class BenchInputs
{
    public const int Side = 28;
    public const int Pixels = Side * Side;

    public static string ModelPath()
    {
        if (Environment.GetEnvironmentVariable("CRNN_BENCH_MODEL") is { Length: > 0 } env) return env;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "models", "mnist-crnn.onnx");
                if (File.Exists(candidate)) return candidate;
            }
        throw new FileNotFoundException("no model: set CRNN_BENCH_MODEL to a CRNN ONNX model, or run from the repository with models/mnist-crnn.onnx.");
    }

    /// <summary><paramref name="count"/> 28 x 28 grayscale images, light ink on dark, as MNIST stores them.</summary>
    public static byte[][] Images(int count)
    {
        string? dir = Environment.GetEnvironmentVariable("CRNN_DATA_DIR");
        string idx = dir is null ? "" : Path.Combine(dir, "mnist", "t10k-images-idx3-ubyte.gz");
        return File.Exists(idx) ? ReadIdx(idx, count) : Strokes(count);
    }

    private static byte[][] ReadIdx(string path, int count)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        var header = new byte[16];
        gz.ReadExactly(header);
        var images = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            images[i] = new byte[Pixels];
            gz.ReadExactly(images[i]);
        }
        return images;
    }

    // Thick random line segments: enough ink structure for the normaliser's crop and centring to do real work.
    private static byte[][] Strokes(int count)
    {
        var rng = new Random(42);
        var images = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            var img = new byte[Pixels];
            double x0 = rng.Next(6, 22), y0 = rng.Next(4, 10), x1 = rng.Next(6, 22), y1 = rng.Next(18, 24);
            for (double t = 0; t <= 1; t += 0.02)
            {
                int cx = (int)(x0 + (x1 - x0) * t), cy = (int)(y0 + (y1 - y0) * t);
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                        img[Math.Clamp(cy + dy, 0, Side - 1) * Side + Math.Clamp(cx + dx, 0, Side - 1)] = 255;
            }
            images[i] = img;
        }
        return images;
    }
}
