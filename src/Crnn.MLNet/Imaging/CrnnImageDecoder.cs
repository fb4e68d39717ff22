using System.Runtime.InteropServices;
using SkiaSharp;

namespace Crnn.MLNet.Imaging;

/// <summary>A decoded image as 8-bit grayscale (transparent areas composited over white), reusable between images.</summary>
public sealed class GrayImage
{
    internal byte[] Buffer = [];

    public int Width { get; internal set; }
    public int Height { get; internal set; }
    public ReadOnlySpan<byte> Pixels => Buffer.AsSpan(0, Width * Height);
}

/// <summary>
/// Decodes PNG, JPEG, BMP, GIF and WebP files with SkiaSharp's codec, checking the header's dimensions
/// against a pixel limit before any pixel is decoded. Every error names the image's source.
/// Stateless and thread-safe.
/// </summary>
public static class CrnnImageDecoder
{
    /// <summary>Files larger than this are refused before reading (bytes).</summary>
    public const long MaxFileBytes = 256L * 1024 * 1024;

    /// <summary>Largest image decodable at all (its 32-bit pixels must fit one array), whatever MaxImagePixels says.</summary>
    public const long MaxDecodablePixels = 1L << 28;

    /// <summary>Reads and decodes an image file into <paramref name="into"/> (reused).</summary>
    /// <exception cref="InvalidDataException">The file is missing, unreadable, empty, corrupt, truncated or too large; the message names it.</exception>
    public static void DecodeFile(string path, long maxPixels, GrayImage into)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new InvalidDataException($"{path}: file not found.");
            if (info.Length > MaxFileBytes) throw new InvalidDataException($"{path}: file is {info.Length} bytes, more than the {MaxFileBytes} an image may have.");
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException && e is not InvalidDataException)
        {
            throw new InvalidDataException($"{path}: cannot read the file: {e.Message}", e);
        }
        Decode(bytes, path, maxPixels, into);
    }

    /// <summary>Reads a stream to its end and decodes it; <paramref name="source"/> names it in errors.</summary>
    public static void DecodeStream(Stream stream, string source, long maxPixels, GrayImage into)
    {
        ArgumentNullException.ThrowIfNull(stream);
        // Bounded like files: an endless or huge stream is refused instead of buffered.
        Decode(Model.BoundedRead.ReadToEnd(stream, MaxFileBytes, source, "image stream"), source, maxPixels, into);
    }

    // A valid 1 x 1 grayscale PNG.
    private static readonly byte[] s_tinyPng =
    [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3A, 0x7E, 0x9B, 0x55, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41,
        0x54, 0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x48, 0xAF, 0xA4, 0x71, 0x00, 0x00, 0x00, 0x00, 0x49,
        0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ];

    private static int s_preloaded;

    /// <summary>
    /// Loads SkiaSharp's native library and compiles the decoding path on a pool thread, once per process. Opening a
    /// recognizer calls it so that this (about 0.1 s cold) overlaps ONNX Runtime's start-up instead of following it.
    /// </summary>
    internal static void PreloadInBackground()
    {
        if (Interlocked.Exchange(ref s_preloaded, 1) != 0) return;
        ThreadPool.UnsafeQueueUserWorkItem(static _ =>
        {
            // A failure here (e.g. missing native assets) is reported by the first real decode instead.
            try { Decode(s_tinyPng, "preload", 1, new GrayImage()); }
            catch (Exception) { }
        }, null);
    }

    /// <summary>Decodes encoded image bytes.</summary>
    public static unsafe void Decode(ReadOnlySpan<byte> encoded, string source, long maxPixels, GrayImage into)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (encoded.IsEmpty) throw new InvalidDataException($"{source}: the image is empty (0 bytes).");
        SKCodec? codec;
        SKCodecResult result;
        SKData data;
        fixed (byte* p = encoded)
        {
            data = SKData.CreateCopy((IntPtr)p, encoded.Length);
        }
        using var dataOwner = data;
        codec = SKCodec.Create(new SKMemoryStream(data), out result);
        if (codec is null)
            throw new InvalidDataException($"{source}: not a readable image ({Describe(result)}); expected PNG, JPEG, BMP, GIF or WebP.");
        using (codec)
        {
            var header = codec.Info;
            int w = header.Width, h = header.Height;
            if (w <= 0 || h <= 0) throw new InvalidDataException($"{source}: the image header gives an empty size {w}x{h}.");
            CheckPixelCount(w, h, maxPixels, source);
            // Whatever the option says, 4 bytes per pixel must fit one array.
            if ((long)w * h > MaxDecodablePixels)
                throw new InvalidDataException($"{source}: the image is {w}x{h} = {(long)w * h} pixels, more than the {MaxDecodablePixels} this decoder can hold.");
            var info = new SKImageInfo(w, h, SKColorType.Bgra8888, SKAlphaType.Premul);
            byte[] rgba = System.Buffers.ArrayPool<byte>.Shared.Rent(checked(w * h * 4));
            try
            {
                fixed (byte* px = rgba)
                {
                    result = codec.GetPixels(info, (IntPtr)px);
                }
                if (result != SKCodecResult.Success)
                    throw new InvalidDataException(result == SKCodecResult.IncompleteInput
                        ? $"{source}: the image data is truncated (the file ends before the last row)."
                        : $"{source}: cannot decode the image ({Describe(result)}).");
                if (into.Buffer.Length < w * h) into.Buffer = new byte[w * h];
                ToGray(rgba.AsSpan(0, w * h * 4), into.Buffer.AsSpan(0, w * h));
                into.Width = w;
                into.Height = h;
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rgba);
            }
        }
    }

    /// <summary>B,G,R,A premultiplied to gray over white.</summary>
    internal static void ToGray(ReadOnlySpan<byte> bgra, Span<byte> gray)
    {
        for (int i = 0, p = 0; i < gray.Length; i++, p += 4)
        {
            int lum = (114 * bgra[p] + 587 * bgra[p + 1] + 299 * bgra[p + 2] + 500) / 1000 + (255 - bgra[p + 3]);
            gray[i] = (byte)Math.Min(lum, 255);
        }
    }

    private static string Describe(SKCodecResult r) => r switch
    {
        SKCodecResult.IncompleteInput => "truncated or incomplete data",
        SKCodecResult.InvalidInput => "corrupt data",
        SKCodecResult.Unimplemented => "unsupported format or encoding",
        SKCodecResult.ErrorInInput => "corrupt data",
        _ => $"unrecognised format or corrupt data: {r}",
    };

    /// <summary>Refuses an image of more than <paramref name="maxPixels"/> pixels, naming it and the option.</summary>
    internal static void CheckPixelCount(long width, long height, long maxPixels, string source)
    {
        if (width * height > maxPixels)
            throw new InvalidDataException($"{source}: the image is {width}x{height} = {width * height} pixels, more than the limit of {maxPixels} (option MaxImagePixels).");
    }
}
