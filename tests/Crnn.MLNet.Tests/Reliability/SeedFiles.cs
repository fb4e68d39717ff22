using SkiaSharp;

namespace Crnn.MLNet.Tests.Reliability;

/// <summary>Seed corpora of real files: the project's sample digits (PNG) re-encoded as JPEG and WebP, and small test models.</summary>
internal static class SeedFiles
{
    /// <summary>The repository's <c>samples/digits/*/*.png</c>, or null outside a checkout.</summary>
    public static string? SamplesFolder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "samples", "digits");
                if (Directory.Exists(candidate)) return candidate;
            }
            return null;
        }
    }

    /// <summary>Encoded images: every sample PNG as is, plus a JPEG and a WebP of a few, plus a few drawn ones (so the corpus is never empty).</summary>
    public static List<byte[]> Images(int max = 40)
    {
        var result = new List<byte[]>();
        var pngs = SamplesFolder is string folder
            ? Directory.EnumerateFiles(folder, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList()
            : [];
        foreach (string png in pngs.Take(max))
            result.Add(File.ReadAllBytes(png));
        foreach (string png in pngs.Take(4))
        {
            using var bmp = SKBitmap.Decode(png);
            // Smaller copies keep each execution fast; the format is what matters.
            using var small = bmp.Resize(new SKImageInfo(Math.Max(8, bmp.Width / 3), Math.Max(8, bmp.Height / 3)), SKFilterQuality.Medium);
            result.Add(Support.TestImages.Encode(small, SKEncodedImageFormat.Jpeg));
            result.Add(Support.TestImages.Encode(small, SKEncodedImageFormat.Webp));
        }
        for (int d = 0; d < 3; d++)
        {
            using var bmp = Support.TestImages.Text(d.ToString(System.Globalization.CultureInfo.InvariantCulture), 40, 48, size: 36, darkOnLight: d % 2 == 0);
            result.Add(Support.TestImages.Encode(bmp, SKEncodedImageFormat.Png));
            result.Add(Support.TestImages.Encode(bmp, SKEncodedImageFormat.Jpeg));
        }
        return result;
    }

    /// <summary>A trained model to add to the ONNX corpus, when one is at hand: <c>CRNN_FUZZ_MODEL</c>, else models/mnist-crnn.onnx.</summary>
    public static string? TrainedModel =>
        Environment.GetEnvironmentVariable("CRNN_FUZZ_MODEL") is { Length: > 0 } p && File.Exists(p) ? p : Support.RepoModel.MnistPath;
}
