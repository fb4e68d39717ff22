using System.Text.Json;

namespace Crnn.MLNet.Cli.Batch;

/// <summary>
/// What an interrupted job already answered. Results are written in input order, so the first K rows answer the first K
/// inputs: each complete row is checked against the next input (same path), which both skips the answered inputs and
/// proves the input has not changed. Kept: every complete row up to the first line that is unfinished (a write cut by
/// the kill) or, past the last checkpoint, unreadable (a machine crash can leave garbage there); cut: the rest.
/// </summary>
internal static class ResumeCheck
{
    /// <param name="ValidBytes">Length of the whole rows kept.</param>
    /// <param name="Rows">Rows kept: inputs already answered.</param>
    /// <param name="Errors">Rows among them that carry an error.</param>
    /// <param name="CutBytes">Bytes after the kept rows, to cut.</param>
    /// <param name="CutReason">Why they are cut, or null when nothing is.</param>
    internal sealed record Outcome(long ValidBytes, long Rows, long Errors, long CutBytes, string? CutReason);

    /// <summary>
    /// Reads <paramref name="results"/> from its start, advancing <paramref name="inputs"/> past every answered input.
    /// Throws <see cref="InvalidDataException"/> when the results do not belong to these inputs.
    /// </summary>
    public static Outcome Run(Stream results, string name, IEnumerator<BatchInput> inputs, long checkpointBytes)
    {
        results.Position = 0;
        var reader = new CompleteLineReader(results);
        long rows = 0, errors = 0;
        string? cut = null;
        while (reader.TryReadLine(out var line, out bool complete))
        {
            long start = reader.Position - (complete ? line.Length + 1 : 0);
            if (!complete)
            {
                cut = "an unfinished last line";
                break;
            }
            if (!TryReadRow(line.Span, out string? path, out bool isError))
            {
                if (start >= checkpointBytes)
                {
                    cut = $"an unreadable line {rows + 1} after the last checkpoint";
                    break;
                }
                throw new InvalidDataException($"{name}, line {rows + 1}: not a result row, though the last checkpoint says it was written whole; the file was changed: choose another --output.");
            }
            if (!inputs.MoveNext())
                throw new InvalidDataException($"{name}: more rows than the input has images ({rows} images, then row '{path}'): the input changed since the job started; choose another --output.");
            if (!string.Equals(inputs.Current.Path, path, StringComparison.Ordinal))
                throw new InvalidDataException($"{name}, line {rows + 1}: row '{path}' where the input now has '{inputs.Current.Path}': the input changed since the job started; choose another --output.");
            rows++;
            if (isError) errors++;
        }
        long valid = reader.Position;
        return new Outcome(valid, rows, errors, results.Length - valid, cut);
    }

    /// <summary>A row is one JSON object with a string "path"; "error" marks a failed input.</summary>
    internal static bool TryReadRow(ReadOnlySpan<byte> line, out string? path, out bool isError)
    {
        path = null;
        isError = false;
        try
        {
            var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 16 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("path"u8))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.String) return false;
                    path = reader.GetString();
                }
                else
                {
                    isError |= reader.ValueTextEquals("error"u8);
                    reader.Read();
                    reader.Skip();
                }
            }
            // The object must end the line.
            return reader.TokenType == JsonTokenType.EndObject && !reader.Read() && path is not null;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
