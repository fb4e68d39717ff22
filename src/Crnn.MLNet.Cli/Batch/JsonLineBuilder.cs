using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Crnn.MLNet.Cli.Batch;

/// <summary>Builds JSON lines (one compact object per line) into one UTF-8 buffer.</summary>
internal sealed class JsonLineBuilder
{
    // Relaxed escaping keeps non-ASCII paths and texts readable; control characters (newlines too) are still escaped,
    // so a row is always exactly one line.
    private static readonly JsonWriterOptions s_options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    private readonly ArrayBufferWriter<byte> _buffer;
    private readonly Utf8JsonWriter _writer;

    public JsonLineBuilder(int capacity = 16 * 1024)
    {
        _buffer = new ArrayBufferWriter<byte>(capacity);
        _writer = new Utf8JsonWriter(_buffer, s_options);
    }

    public int Lines { get; private set; }

    /// <summary>Writes one object through <paramref name="write"/>, which gets the writer inside it, then ends the line.</summary>
    public void Line(Action<Utf8JsonWriter> write)
    {
        _writer.WriteStartObject();
        write(_writer);
        _writer.WriteEndObject();
        _writer.Flush();
        _writer.Reset();
        _buffer.Write("\n"u8);
        Lines++;
    }

    /// <summary>The row of an input that could not be answered: its path and why.</summary>
    public void ErrorLine(string path, string? error) => Line(w =>
    {
        w.WriteString("path", path);
        w.WriteString("error", error);
    });

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    /// <summary>A probability as the results write it: 6 decimals, like <c>--json</c>.</summary>
    public static double Probability(float p) => Math.Round(p, 6);
}
