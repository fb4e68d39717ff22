using Crnn.MLNet.Imaging;
using Microsoft.ML.Data;

namespace Crnn.MLNet.Transforms;

/// <summary>
/// The one way an image value of a column (a file path or an <see cref="MLImage"/>) reaches a normaliser, used by the
/// live transforms and by their saved forms alike: the empty/missing checks, the size limit (checked from the file
/// header, or from the <see cref="MLImage"/>'s size) and the decoding. Errors start with <c>where</c> (column and row).
/// One instance per cursor or thread: it reuses its decoding buffer.
/// </summary>
internal sealed class ImageInput(long maxImagePixels)
{
    private readonly GrayImage _gray = new();

    public long MaxImagePixels { get; } = maxImagePixels;

    /// <summary>The file at <paramref name="path"/> as gray pixels (the buffer is reused by the next call).</summary>
    public GrayImage Decode(string? path, string where)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new InvalidDataException($"{where}: the image path is empty.");
        CrnnImageDecoder.DecodeFile(path, MaxImagePixels, _gray);
        return _gray;
    }

    /// <summary>The 32-bit pixels of <paramref name="image"/> within the size limit; errors name its tag, else <paramref name="where"/>.</summary>
    public ReadOnlySpan<byte> Pixels(MLImage? image, string where, out bool bgra)
    {
        if (image is null) throw new InvalidDataException($"{where}: the image is missing (null).");
        bgra = image.PixelFormat == MLPixelFormat.Bgra32;
        return MLImagePixels.Checked(image, string.IsNullOrEmpty(image.Tag) ? where : image.Tag, MaxImagePixels);
    }

    /// <summary>An input error as an <see cref="InvalidDataException"/> that starts with <paramref name="where"/> (column and row).</summary>
    public static InvalidDataException Located(Exception e, string where) =>
        e is InvalidDataException && e.Message.StartsWith(where, StringComparison.Ordinal)
            ? (InvalidDataException)e
            : new InvalidDataException($"{where}: {e.Message}", e);

    /// <summary>A character image from a path into <paramref name="output"/>.</summary>
    public void Character(HandwritingNormalizer normalizer, string? path, string where, Span<float> output)
    {
        var gray = Decode(path, where);
        normalizer.Normalize(gray.Pixels, gray.Width, gray.Height, output);
    }

    /// <summary>A character image from an <see cref="MLImage"/> into <paramref name="output"/>.</summary>
    public void Character(HandwritingNormalizer normalizer, MLImage? image, string where, Span<float> output)
    {
        var pixels = Pixels(image, where, out bool bgra);
        normalizer.NormalizeColor(pixels, image!.Width, image.Height, bgra, output);
    }

    /// <summary>A line image from a path.</summary>
    public CrnnLineInput Line(CrnnLineNormalizer normalizer, string? path, string where)
    {
        var gray = Decode(path, where);
        return normalizer.Normalize(gray.Pixels, gray.Width, gray.Height);
    }

    /// <summary>A line image from an <see cref="MLImage"/>.</summary>
    public CrnnLineInput Line(CrnnLineNormalizer normalizer, MLImage? image, string where)
    {
        var pixels = Pixels(image, where, out bool bgra);
        return normalizer.NormalizeColor(pixels, image!.Width, image.Height, bgra);
    }
}
