using System.Text;

namespace Crnn.MLNet.Cli.Commands;

/// <summary>One line of a test set: an image and the text written in it.</summary>
internal sealed record LabelledLine(string ImagePath, string Text, int LineNumber);

/// <summary>
/// Reads a folder of test lines as <c>crnn make-lines</c> writes it: <c>labels.tsv</c>, UTF-8, no header, one line per
/// image, <c>relative/path.png&lt;TAB&gt;text</c>. Blank lines are skipped; anything else malformed is an error naming
/// the file and the line number.
/// </summary>
internal static class LineLabelsFile
{
    public static IReadOnlyList<LabelledLine> Read(string folder)
    {
        string path = Path.Combine(folder, MakeLinesCommand.LabelsFileName);
        if (!Directory.Exists(folder)) throw new FileNotFoundException($"{folder}: folder not found.", folder);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: not found (write a test set with 'crnn make-lines').", path);
        var result = new List<LabelledLine>();
        int number = 0;
        // Strict UTF-8: a file in another encoding fails here instead of giving wrong references.
        using var reader = new StreamReader(path, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
        try
        {
            for (string? line; (line = reader.ReadLine()) is not null;)
            {
                number++;
                if (line.Length == 0) continue;
                int tab = line.IndexOf('\t');
                if (tab <= 0 || line.IndexOf('\t', tab + 1) >= 0)
                    throw new InvalidDataException($"{path}, line {number}: expected 'relative/path.png<TAB>text', got '{Clip(line)}'.");
                string file = line[..tab];
                if (Path.IsPathRooted(file) || file.Split('/', '\\').Contains(".."))
                    throw new InvalidDataException($"{path}, line {number}: the image path '{Clip(file)}' must be relative to the folder, without '..'.");
                result.Add(new LabelledLine(Path.Combine(folder, file), line[(tab + 1)..], number));
            }
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"{path}, line {number + 1}: not valid UTF-8 ({e.Message}).", e);
        }
        if (result.Count == 0) throw new InvalidDataException($"{path}: no lines.");
        return result;
    }

    private static string Clip(string s) => s.Length <= 60 ? s : s[..60] + "…";
}
