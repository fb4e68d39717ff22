using System.Runtime.InteropServices;
using SkiaSharp;

namespace Crnn.MLNet.Cli.Bench;

/// <summary>Encodes 8-bit grayscale images, stored one after the other in a byte array, as PNG (bench inputs).</summary>
internal sealed class GrayPng(int width, int height) : IDisposable
{
    private readonly SKBitmap _bitmap = new(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));

    /// <summary>The image at <paramref name="index"/> of <paramref name="images"/> as a PNG.</summary>
    public SKData Encode(byte[] images, int index)
    {
        int offset = index * width * height;
        for (int y = 0; y < height; y++)
            Marshal.Copy(images, offset + y * width, _bitmap.GetPixels() + y * _bitmap.RowBytes, width);
        return _bitmap.Encode(SKEncodedImageFormat.Png, 100);
    }

    public void Dispose() => _bitmap.Dispose();
}
