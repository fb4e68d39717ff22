using Microsoft.ML.Data;

namespace Crnn.MLNet.Imaging;

/// <summary>
/// The one check every <see cref="MLImage"/> input goes through (recognisers and transforms alike). Kept apart from
/// <see cref="CrnnImageDecoder"/> so that decoding files does not load ML.NET's image assembly.
/// </summary>
internal static class MLImagePixels
{
    /// <summary>
    /// The pixels of <paramref name="image"/> (BGRA or RGBA, 4 bytes each) within the size limit, or a clear error for an
    /// image without pixel data.
    /// </summary>
    public static ReadOnlySpan<byte> Checked(MLImage image, string source, long maxPixels)
    {
        CrnnImageDecoder.CheckPixelCount(image.Width, image.Height, maxPixels, source);
        try
        {
            return image.Pixels;
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidDataException($"{source}: the image has no pixel data ({e.Message}).", e);
        }
    }
}
