using System.Text.Encodings.Web;
using System.Text.Json;

namespace Crnn.MLNet.Cli;

/// <summary>
/// JSON as crnn writes it: indented, and labels in any script written as themselves (UTF-8), not as \u escapes, so
/// that `--json` output stays readable in Kannada or Tifinagh. It is written to stdout and files, never into HTML, so
/// the relaxed encoder's not escaping HTML-sensitive characters is harmless.
/// </summary>
internal static class CliJson
{
    public static readonly JsonWriterOptions Writer = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static readonly JsonSerializerOptions Serializer = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
