namespace Crnn.MLNet.Model;

/// <summary>Reads a stream to its end without ever holding more than a limit: a stream that goes on is refused, not buffered.</summary>
internal static class BoundedRead
{
    /// <exception cref="InvalidDataException">The stream holds more than <paramref name="maxBytes"/> or cannot be read; the message names <paramref name="source"/>.</exception>
    public static byte[] ReadToEnd(Stream stream, long maxBytes, string source, string what)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long cap = Math.Min(maxBytes, Array.MaxLength);
        try
        {
            if (stream.CanSeek && stream.Length - stream.Position > cap)
                throw new InvalidDataException($"{source}: the {what} is {stream.Length - stream.Position:N0} bytes, more than the limit of {cap:N0}.");
            using var ms = new MemoryStream();
            var buffer = new byte[81920];
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (ms.Length + n > cap)
                    throw new InvalidDataException($"{source}: the {what} is more than the limit of {cap:N0} bytes.");
                ms.Write(buffer, 0, n);
            }
            return ms.ToArray();
        }
        catch (Exception e) when (e is IOException or NotSupportedException or ObjectDisposedException && e is not InvalidDataException)
        {
            throw new InvalidDataException($"{source}: cannot read the {what}: {e.Message}", e);
        }
    }

    /// <summary>The asynchronous <see cref="ReadToEnd"/>, for request bodies (servers refuse synchronous reads).</summary>
    /// <inheritdoc cref="ReadToEnd" path="/exception"/>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> fired.</exception>
    public static async Task<byte[]> ReadToEndAsync(Stream stream, long maxBytes, string source, string what, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long cap = Math.Min(maxBytes, Array.MaxLength);
        try
        {
            if (stream.CanSeek && stream.Length - stream.Position > cap)
                throw new InvalidDataException($"{source}: the {what} is {stream.Length - stream.Position:N0} bytes, more than the limit of {cap:N0}.");
            using var ms = new MemoryStream();
            var buffer = new byte[81920];
            int n;
            while ((n = await stream.ReadAsync(buffer, cancel).ConfigureAwait(false)) > 0)
            {
                if (ms.Length + n > cap)
                    throw new InvalidDataException($"{source}: the {what} is more than the limit of {cap:N0} bytes.");
                ms.Write(buffer, 0, n);
            }
            return ms.ToArray();
        }
        catch (Exception e) when (e is IOException or NotSupportedException or ObjectDisposedException && e is not InvalidDataException)
        {
            throw new InvalidDataException($"{source}: cannot read the {what}: {e.Message}", e);
        }
    }
}
