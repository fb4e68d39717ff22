namespace Crnn.MLNet.Cli.Batch;

/// <summary>The file name extensions a folder walk takes as images: what the decoder reads (PNG, JPEG, BMP, GIF, WebP).</summary>
internal static class ImageFileTypes
{
    public static readonly IReadOnlySet<string> Extensions =
        new HashSet<string>([".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"], StringComparer.OrdinalIgnoreCase);

    public static bool IsImage(string path) => Extensions.Contains(Path.GetExtension(path));
}
