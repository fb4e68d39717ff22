using System.Text;

namespace Crnn.MLNet.Cli.Batch;

/// <summary>
/// Image paths listed one per line in a file, or on standard input when <c>file</c> is null. Read line by line; blank
/// lines and lines starting with '#' are skipped, spaces around a path are dropped, and a TAB ends the path (later
/// columns are ignored, so a <c>labels.tsv</c> can be given as it is). Relative paths are relative to the list file's
/// folder (on standard input: to the current folder). Results name each image as its line writes it.
/// </summary>
internal sealed class PathListInputSource(string? file, Func<TextReader>? stdin) : InputSource
{
    public override string Description => file is null ? "standard input" : $"list {file}";

    public override bool CanCount => file is not null;

    public override IEnumerable<BatchInput> Enumerate()
    {
        string folder = file is null ? "" : Path.GetDirectoryName(file) ?? "";
        TextReader reader = file is null
            ? stdin!()
            : new StreamReader(file, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, new FileStreamOptions { BufferSize = 1 << 16 });
        try
        {
            while (reader.ReadLine() is { } line)
            {
                int tab = line.IndexOf('\t');
                string entry = (tab >= 0 ? line[..tab] : line).Trim();
                if (entry.Length == 0 || entry[0] == '#') continue;
                string path = folder.Length == 0 || Path.IsPathRooted(entry) ? entry : Path.Join(folder, entry);
                yield return new BatchInput(entry, path, entry);
            }
        }
        finally
        {
            // Standard input belongs to the process.
            if (file is not null) reader.Dispose();
        }
    }
}
