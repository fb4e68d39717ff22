using System.Runtime.InteropServices;
using SkiaSharp;

namespace Crnn.MLNet.Cli.Bench;

/// <summary>The bench images written as grayscale PNG files into a temporary folder, deleted on dispose.</summary>
internal sealed class PngFolder : IDisposable
{
    private PngFolder(string folder, string[] paths)
    {
        Folder = folder;
        Paths = paths;
    }

    public string Folder { get; }
    public IReadOnlyList<string> Paths { get; }

    public static PngFolder Write(BenchImages images)
    {
        string folder = Path.Combine(Path.GetTempPath(), "crnn-bench-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        var paths = new string[images.Count];
        try
        {
            using var bitmap = new SKBitmap(new SKImageInfo(images.Width, images.Height, SKColorType.Gray8, SKAlphaType.Opaque));
            for (int i = 0; i < images.Count; i++)
            {
                int offset = i * images.Width * images.Height;
                for (int y = 0; y < images.Height; y++)
                    Marshal.Copy(images.Data.Images, offset + y * images.Width, bitmap.GetPixels() + y * bitmap.RowBytes, images.Width);
                paths[i] = Path.Combine(folder, $"{i:D5}.png");
                using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
                using var file = File.Create(paths[i]);
                png.SaveTo(file);
            }
        }
        catch
        {
            TryDelete(folder);
            throw;
        }
        return new PngFolder(folder, paths);
    }

    public void Dispose() => TryDelete(Folder);

    private static void TryDelete(string folder)
    {
        try { Directory.Delete(folder, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
