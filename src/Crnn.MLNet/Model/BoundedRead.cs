namespace Crnn.MLNet.Model;

/// <summary>Reads a stream to its end without ever holding more than a limit: a stream that goes on is refused, not buffered.</summary>
internal static class BoundedRead
{
    /// <exception cref="InvalidDataException">The stream holds more than <paramref name="maxBytes"/> or cannot be read; the message names <paramref name="source"/>.</exception>
    public static byte[] ReadToEnd(Stream stream, long maxBytes, string source, string what)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var into = new Sink(stream, maxBytes, source, what);
        try
        {
            var buffer = new byte[81920];
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0) into.Append(buffer, n);
            return into.ToArray();
        }
        catch (Exception e) when (IsReadError(e)) { throw into.Unreadable(e); }
    }

    /// <summary>The asynchronous <see cref="ReadToEnd"/>, for request bodies (servers refuse synchronous reads).</summary>
    /// <inheritdoc cref="ReadToEnd" path="/exception"/>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> fired.</exception>
    public static async Task<byte[]> ReadToEndAsync(Stream stream, long maxBytes, string source, string what, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var into = new Sink(stream, maxBytes, source, what);
        try
        {
            var buffer = new byte[81920];
            int n;
            while ((n = await stream.ReadAsync(buffer, cancel).ConfigureAwait(false)) > 0) into.Append(buffer, n);
            return into.ToArray();
        }
        catch (Exception e) when (IsReadError(e)) { throw into.Unreadable(e); }
    }

    private static bool IsReadError(Exception e) => e is IOException or NotSupportedException or ObjectDisposedException && e is not InvalidDataException;

    /// <summary>The bytes read so far, refusing more than the limit (a seekable stream's length is checked up front).</summary>
    private sealed class Sink
    {
        private readonly MemoryStream _bytes = new();
        private readonly long _cap;
        private readonly string _source, _what;

        public Sink(Stream stream, long maxBytes, string source, string what)
        {
            _cap = Math.Min(maxBytes, Array.MaxLength);
            _source = source;
            _what = what;
            try
            {
                if (stream.CanSeek && stream.Length - stream.Position > _cap)
                    throw new InvalidDataException($"{source}: the {what} is {stream.Length - stream.Position:N0} bytes, more than the limit of {_cap:N0}.");
            }
            catch (Exception e) when (IsReadError(e)) { throw Unreadable(e); }
        }

        public void Append(byte[] buffer, int n)
        {
            if (_bytes.Length + n > _cap) throw new InvalidDataException($"{_source}: the {_what} is more than the limit of {_cap:N0} bytes.");
            _bytes.Write(buffer, 0, n);
        }

        public byte[] ToArray() => _bytes.ToArray();

        public InvalidDataException Unreadable(Exception e) => new($"{_source}: cannot read the {_what}: {e.Message}", e);
    }
}
