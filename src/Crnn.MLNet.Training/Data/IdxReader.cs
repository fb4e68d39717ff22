using System.Buffers.Binary;
using System.IO.Compression;

using static System.FormattableString;

namespace Crnn.MLNet.Training.Data;

/// <summary>
/// Reads IDX files (the MNIST format): unsigned-byte images (magic <c>0x00000803</c>, dimensions count, rows, columns)
/// and labels (magic <c>0x00000801</c>, dimension count), plain or gzipped. Gzip is recognised by its magic bytes
/// (<c>1f 8b</c>), not by the file name.
/// </summary>
/// <remarks>
/// Every malformed input (bad magic, wrong dimensions, absurd sizes, truncated or trailing data, corrupt gzip)
/// fails with an <see cref="InvalidDataException"/> naming the file and the problem. The header is never trusted
/// for allocation: plain files are checked against their length first, and gzipped data is collected in buffers
/// that grow only as data actually arrives, up to what the header claims and <see cref="IdxLimits.MaxDataBytes"/>.
/// </remarks>
public static class IdxReader
{
    /// <summary>Magic number of an unsigned-byte IDX file with 3 dimensions (images).</summary>
    public const uint ImagesMagic = 0x00000803;

    /// <summary>Magic number of an unsigned-byte IDX file with 1 dimension (labels).</summary>
    public const uint LabelsMagic = 0x00000801;

    // Gzipped data is collected starting from this much; larger buffers are allocated only once data fills this.
    private const int InitialGzipBuffer = 1 << 20;

    /// <summary>Reads an image file.</summary>
    /// <param name="path">The IDX image file, plain or gzipped.</param>
    /// <param name="transpose">Transpose every image (official EMNIST files store them transposed).</param>
    /// <param name="limits">Sanity limits; <see cref="IdxLimits.Default"/> when null.</param>
    /// <param name="cancellationToken">Checked between chunks.</param>
    public static IdxImages ReadImages(string path, bool transpose = false, IdxLimits? limits = null, CancellationToken cancellationToken = default) =>
        ReadImages(path, transpose, expectedCount: null, countSource: null, limits, cancellationToken);

    /// <summary>Reads a label file.</summary>
    /// <param name="path">The IDX label file, plain or gzipped.</param>
    /// <param name="classCount">When given, every label must be below it.</param>
    /// <param name="limits">Sanity limits; <see cref="IdxLimits.Default"/> when null.</param>
    /// <param name="cancellationToken">Checked between chunks.</param>
    public static byte[] ReadLabels(string path, int? classCount = null, IdxLimits? limits = null, CancellationToken cancellationToken = default)
    {
        var (_, labels) = Read(path, LabelsMagic, "label", limits ?? IdxLimits.Default, expectedCount: null, countSource: null, cancellationToken);
        if (classCount is int classes)
        {
            for (int i = 0; i < labels.Length; i++)
                if (labels[i] >= classes)
                    throw new InvalidDataException($"{path}: label {labels[i]} of item {i} is outside the {classes} classes (0..{classes - 1}).");
        }
        return labels;
    }

    /// <summary>
    /// Reads matching image and label files, checking that they hold the same number of items
    /// (before the images' data is read).
    /// </summary>
    public static (IdxImages Images, byte[] Labels) ReadPair(string imagesPath, string labelsPath, bool transpose = false, int? classCount = null,
        IdxLimits? limits = null, CancellationToken cancellationToken = default)
    {
        var labels = ReadLabels(labelsPath, classCount, limits, cancellationToken);
        var images = ReadImages(imagesPath, transpose, labels.Length, labelsPath, limits, cancellationToken);
        return (images, labels);
    }

    internal static IdxImages ReadImages(string path, bool transpose, int? expectedCount, string? countSource, IdxLimits? limits, CancellationToken cancellationToken)
    {
        var (dims, pixels) = Read(path, ImagesMagic, "image", limits ?? IdxLimits.Default, expectedCount, countSource, cancellationToken);
        int count = dims[0], rows = dims[1], cols = dims[2];
        if (!transpose) return new IdxImages(pixels, count, rows, cols);
        return new IdxImages(Transpose(pixels, count, rows, cols), count, cols, rows);
    }

    /// <summary>Transposes each of <paramref name="count"/> row-major <paramref name="rows"/> x <paramref name="cols"/> images.</summary>
    internal static byte[] Transpose(byte[] pixels, int count, int rows, int cols)
    {
        var result = new byte[pixels.Length];
        int size = rows * cols;
        for (int n = 0; n < count; n++)
        {
            var src = pixels.AsSpan(n * size, size);
            var dst = result.AsSpan(n * size, size);
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                    dst[c * rows + r] = src[r * cols + c];
        }
        return result;
    }

    /// <summary>Whether the file starts with the gzip magic bytes.</summary>
    public static bool IsGzip(string path)
    {
        using var file = File.OpenRead(path);
        return IsGzip(file);
    }

    private static bool IsGzip(FileStream file)
    {
        Span<byte> magic = stackalloc byte[2];
        int n = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    /// <summary>Opens a file for reading its content: decompressing when it is gzipped.</summary>
    internal static Stream OpenContent(string path, out bool gzipped)
    {
        var file = File.OpenRead(path);
        try
        {
            gzipped = IsGzip(file);
            return gzipped ? new GZipStream(file, CompressionMode.Decompress) : file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static (int[] Dims, byte[] Data) Read(string path, uint magic, string kind, IdxLimits limits, int? expectedCount, string? countSource,
        CancellationToken cancellationToken)
    {
        int dimCount = (int)(magic & 0xff);
        using var stream = OpenContent(path, out bool gzipped);
        try
        {
            int headerLength = 4 + 4 * dimCount;
            var header = new byte[headerLength];
            int got = stream.ReadAtLeast(header, headerLength, throwOnEndOfStream: false);
            if (got < 4)
                throw new InvalidDataException($"{path}: not an IDX {kind} file: it ends after {got} bytes, inside the 4-byte magic number.");
            uint actualMagic = BinaryPrimitives.ReadUInt32BigEndian(header);
            if (actualMagic != magic)
                throw new InvalidDataException($"{path}: not an IDX {kind} file: {DescribeMagic(actualMagic, magic)}");
            if (got < headerLength)
                throw new InvalidDataException($"{path}: truncated IDX header: {got} of {headerLength} bytes.");

            var dims = new int[dimCount];
            for (int d = 0; d < dimCount; d++)
            {
                uint value = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4 + 4 * d));
                if (d == 0 && value > int.MaxValue)
                    throw new InvalidDataException(Invariant($"{path}: header claims {value:N0} {kind}s, more than any file can hold."));
                if (d > 0 && (value < 1 || value > limits.MaxSide))
                    throw new InvalidDataException($"{path}: header claims images of {(d == 1 ? "height" : "width")} {value}, outside 1..{limits.MaxSide}.");
                dims[d] = (int)value;
            }

            long itemBytes = 1;
            for (int d = 1; d < dimCount; d++) itemBytes *= dims[d];
            long dataBytes = dims[0] * itemBytes;
            string claim = dimCount == 1 ? Invariant($"{dims[0]:N0} labels") : Invariant($"{dims[0]:N0} images of {dims[1]}x{dims[2]}");
            long maxBytes = Math.Min(limits.MaxDataBytes, Array.MaxLength);
            if (dataBytes > maxBytes)
                throw new InvalidDataException(Invariant($"{path}: header claims {claim} ({dataBytes:N0} bytes), above the limit of {maxBytes:N0} bytes."));
            if (expectedCount is int expected && dims[0] != expected)
                throw new InvalidDataException(Invariant($"{path}: holds {dims[0]:N0} {kind}s but {countSource ?? "the label file"} holds {expected:N0}."));

            if (!gzipped)
            {
                // The length of a plain file is known: check it before allocating anything of the claimed size.
                long available = ((FileStream)stream).Length - headerLength;
                if (available < dataBytes)
                    throw new InvalidDataException(Invariant($"{path}: truncated: header claims {claim} ({dataBytes:N0} bytes of data) but the file holds only {available:N0}."));
                if (available > dataBytes)
                    throw new InvalidDataException(Invariant($"{path}: {available - dataBytes:N0} bytes of trailing data after the {claim} its header claims."));
            }

            var data = ReadData(stream, path, claim, dataBytes, itemBytes, gzipped, cancellationToken);
            return (dims, data);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            // GZipStream's own errors do not say which file they are about.
            throw new InvalidDataException($"{path}: corrupt gzip data: {e.Message}", e);
        }
    }

    private static byte[] ReadData(Stream stream, string path, string claim, long dataBytes, long itemBytes, bool gzipped, CancellationToken cancellationToken)
    {
        // Plain files were length-checked, so their buffer can be allocated at once; gzipped data grows as it arrives.
        var buffer = new byte[gzipped ? Math.Min(dataBytes, InitialGzipBuffer) : dataBytes];
        long filled = 0;
        while (filled < dataBytes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (filled == buffer.Length)
                Array.Resize(ref buffer, (int)Math.Min(dataBytes, Math.Max(buffer.LongLength * 2, 1)));
            int n = stream.Read(buffer, (int)filled, (int)Math.Min(buffer.Length - filled, 1 << 20));
            if (n == 0)
                throw new InvalidDataException(
                    Invariant($"{path}: truncated: header claims {claim} ({dataBytes:N0} bytes of data) but the data ends after {filled:N0} bytes ({filled / itemBytes:N0} complete items)."));
            filled += n;
        }
        if (gzipped)
        {
            Span<byte> probe = stackalloc byte[1];
            if (stream.Read(probe) != 0)
                throw new InvalidDataException($"{path}: trailing data after the {claim} its header claims.");
        }
        return buffer;
    }

    private static string DescribeMagic(uint actual, uint expected)
    {
        string hint = (actual >> 8) != 0x08
            ? "not an unsigned-byte IDX file"
            : actual == LabelsMagic ? "this looks like a label file"
            : actual == ImagesMagic ? "this looks like an image file"
            : $"it has {actual & 0xff} dimensions, expected {expected & 0xff}";
        return $"magic number 0x{actual:X8}, expected 0x{expected:X8} ({hint}).";
    }
}
