using System.IO.Compression;
using Crnn.MLNet.Tests.Support;

namespace Crnn.MLNet.Tests.Reliability;

/// <summary>
/// What the load tests score: real MNIST test digits when <c>CRNN_DATA_DIR</c> has them (else seeded synthetic blobs),
/// with the tiny test model, or the model named by <c>CRNN_RELIABILITY_MODEL</c> for a documented run with a trained one.
/// </summary>
internal static class ScoringWorkload
{
    public static string ModelDescription => Environment.GetEnvironmentVariable("CRNN_RELIABILITY_MODEL") is { Length: > 0 } p ? Path.GetFileName(p) : "tiny test model";

    public static byte[] ModelBytes() =>
        Environment.GetEnvironmentVariable("CRNN_RELIABILITY_MODEL") is { Length: > 0 } p ? File.ReadAllBytes(p) : TestModels.Build();

    /// <summary><paramref name="count"/> 28 x 28 images, light ink on black, and where they came from.</summary>
    public static (byte[][] Images, string Source) Images(int count)
    {
        string? dir = Environment.GetEnvironmentVariable("CRNN_DATA_DIR");
        string file = dir is null ? "" : Path.Combine(dir, "mnist", "t10k-images-idx3-ubyte.gz");
        if (File.Exists(file))
        {
            using var gz = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
            var header = new byte[16];
            gz.ReadExactly(header);
            var images = new byte[count][];
            for (int i = 0; i < count; i++)
            {
                images[i] = new byte[784];
                gz.ReadExactly(images[i]);
            }
            return (images, "MNIST t10k");
        }
        var rng = new Random(42);
        var synthetic = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            var px = new byte[784];
            int cx = 9 + rng.Next(10), cy = 9 + rng.Next(10), r = 3 + rng.Next(6);
            for (int p = 0; p < 784; p++)
            {
                int x = p % 28, y = p / 28;
                if (Math.Abs(x - cx) + Math.Abs(y - cy) <= r) px[p] = (byte)(128 + rng.Next(128));
            }
            synthetic[i] = px;
        }
        return (synthetic, "synthetic");
    }
}
