using Crnn.MLNet.Model;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using SkiaSharp;

namespace Crnn.MLNet.Tests.Support;

public sealed class PathRow { public string Image { get; set; } = ""; public string Label { get; set; } = ""; }
public sealed class ImageRow { [Crnn.MLNet.Transforms.AnySizeImage] public MLImage? Image { get; set; } public string Label { get; set; } = ""; }
public sealed class FloatPixelRow { [VectorType(784)] public float[] Image { get; set; } = []; public string Label { get; set; } = ""; }
public sealed class BytePixelRow { [VectorType(784)] public byte[] Image { get; set; } = []; public uint Label { get; set; } }

/// <summary>A folder of generated digit images and matching in-memory forms, plus the tiny model.</summary>
internal sealed class DigitSet : IDisposable
{
    public DigitSet(int count = 24, int seed = 7)
    {
        Dir = new TempDir();
        ModelBytes = TestModels.Build();
        ModelPath = TestModels.WriteTemp(Dir, ModelBytes);
        Metadata = TestModels.Metadata();
        var rng = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            string digit = TestModels.Digits[i % 10];
            int w = 60 + rng.Next(140), h = 60 + rng.Next(140);
            using var bmp = TestImages.Text(digit, w, h, size: Math.Min(w, h) * (0.4f + (float)rng.NextDouble() * 0.5f),
                cx: 0.35f + (float)rng.NextDouble() * 0.3f, cy: 0.4f + (float)rng.NextDouble() * 0.2f,
                darkOnLight: i % 3 != 0, strokeWidth: (float)rng.NextDouble() * 4);
            string path = Dir.File($"d{i:D3}.{(i % 4 == 0 ? "jpg" : "png")}");
            TestImages.Save(bmp, path, i % 4 == 0 ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png);
            Paths.Add(path);
            Labels.Add(digit);
            var pixels = new byte[784];
            for (int p = 0; p < 784; p++) pixels[p] = (byte)rng.Next(256);
            // MNIST-like: a bright blob on black.
            for (int p = 0; p < 784; p++) { int x = p % 28, y = p / 28; if (Math.Abs(x - 14 - i % 5) + Math.Abs(y - 14) > 6 + i % 4) pixels[p] = 0; }
            Pixels.Add(pixels);
        }
    }

    public TempDir Dir { get; }
    public byte[] ModelBytes { get; }
    public string ModelPath { get; }
    public CrnnModelMetadata Metadata { get; }
    public List<string> Paths { get; } = [];
    public List<string> Labels { get; } = [];
    public List<byte[]> Pixels { get; } = [];

    /// <summary>Expected probabilities of each image file via the plain normaliser + raw ORT.</summary>
    public float[][] ExpectedForPaths()
    {
        using var ort = new RawOrt(ModelBytes);
        var gray = new Imaging.GrayImage();
        return Paths.Select(p =>
        {
            Imaging.CrnnImageDecoder.DecodeFile(p, long.MaxValue, gray);
            return ort.Probabilities(RawOrt.NormaliseGray(Metadata, gray.Pixels.ToArray(), gray.Width, gray.Height));
        }).ToArray();
    }

    public float[][] ExpectedForPixels()
    {
        using var ort = new RawOrt(ModelBytes);
        return Pixels.Select(px => ort.Probabilities(px.Select(v => (float)((v / 255.0 - 0.1307) / 0.3081)).ToArray())).ToArray();
    }

    public void Dispose() => Dir.Dispose();
}
