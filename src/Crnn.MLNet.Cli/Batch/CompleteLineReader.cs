namespace Crnn.MLNet.Cli.Batch;

/// <summary>
/// Reads a stream line by line as bytes, telling complete lines (ended by '\n') from a last, unfinished one, and the
/// byte offset after each complete line: what resuming needs to cut the results back to whole lines.
/// </summary>
internal sealed class CompleteLineReader(Stream stream)
{
    /// <summary>Longest line accepted; longer is not a result row.</summary>
    public const int MaxLineBytes = 16 << 20;

    private byte[] _buffer = new byte[1 << 16];
    private int _start, _end;
    private bool _eof;

    /// <summary>Offset just after the last complete line returned.</summary>
    public long Position { get; private set; }

    /// <summary>
    /// The next line without its '\n' (valid until the next call), and whether it was complete; false at the end.
    /// A line longer than <see cref="MaxLineBytes"/> is returned cut, as incomplete.
    /// </summary>
    public bool TryReadLine(out ReadOnlyMemory<byte> line, out bool complete)
    {
        while (true)
        {
            int newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                line = _buffer.AsMemory(_start, newline);
                _start += newline + 1;
                Position += newline + 1;
                complete = true;
                return true;
            }
            if (_eof || _end - _start >= MaxLineBytes)
            {
                complete = false;
                line = _buffer.AsMemory(_start, _end - _start);
                _start = _end;
                return line.Length > 0;
            }
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length) Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, MaxLineBytes + 1));
            int n = stream.Read(_buffer, _end, _buffer.Length - _end);
            if (n == 0) _eof = true;
            else _end += n;
        }
    }
}
