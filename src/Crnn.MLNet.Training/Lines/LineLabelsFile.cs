using System.Text;

namespace Crnn.MLNet.Training.Lines;

/// <summary>One labelled line: an image, the text written in it, and the page (or writer) it comes from, if the folder says.</summary>
public sealed record LabelledLine(string ImagePath, string Text, int LineNumber)
{
    /// <summary>From <c>pages.tsv</c>; null when the folder has none.</summary>
    public string? Page { get; init; }
}

/// <summary>
/// Reads a folder of labelled lines as <c>crnn make-lines</c> writes it: <c>labels.tsv</c>, UTF-8, no header, one line
/// per image, <c>relative/path.png&lt;TAB&gt;text</c>; optionally <c>pages.tsv</c> beside it, <c>relative/path.png&lt;TAB&gt;page</c>,
/// naming the page or writer of each image so that a split can keep them apart. Blank lines are skipped; anything
/// else malformed is an error naming the file and the line number.
/// </summary>
public static class LineLabelsFile
{
    public const string LabelsFileName = "labels.tsv";
    public const string PagesFileName = "pages.tsv";

    /// <exception cref="FileNotFoundException">The folder or its labels.tsv is missing.</exception>
    /// <exception cref="InvalidDataException">A malformed line, a file that is not UTF-8, no lines, or a pages.tsv that
    /// does not name exactly the images of labels.tsv.</exception>
    public static IReadOnlyList<LabelledLine> Read(string folder)
    {
        string path = Path.Combine(folder, LabelsFileName);
        if (!Directory.Exists(folder)) throw new FileNotFoundException($"{folder}: folder not found.", folder);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: not found (write a test set with 'crnn make-lines').", path);
        var lines = ReadPairs(path, "text");
        if (lines.Count == 0) throw new InvalidDataException($"{path}: no lines.");
        var result = lines.Select(l => new LabelledLine(Path.Combine(folder, l.File), l.Value, l.LineNumber)).ToList();
        string pagesPath = Path.Combine(folder, PagesFileName);
        if (!File.Exists(pagesPath)) return result;
        var pages = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (file, page, number) in ReadPairs(pagesPath, "page"))
            if (!pages.TryAdd(file, page))
                throw new InvalidDataException($"{pagesPath}, line {number}: '{Clip(file)}' is listed twice.");
        for (int i = 0; i < result.Count; i++)
        {
            if (!pages.TryGetValue(lines[i].File, out string? page))
                throw new InvalidDataException($"{pagesPath}: no page for '{Clip(lines[i].File)}' ({LabelsFileName}, line {lines[i].LineNumber}).");
            result[i] = result[i] with { Page = page };
        }
        return result;
    }

    private static List<(string File, string Value, int LineNumber)> ReadPairs(string path, string what)
    {
        var result = new List<(string, string, int)>();
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
                    throw new InvalidDataException($"{path}, line {number}: expected 'relative/path.png<TAB>{what}', got '{Clip(line)}'.");
                string file = line[..tab];
                if (Path.IsPathRooted(file) || file.Split('/', '\\').Contains(".."))
                    throw new InvalidDataException($"{path}, line {number}: the image path '{Clip(file)}' must be relative to the folder, without '..'.");
                result.Add((file, line[(tab + 1)..], number));
            }
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"{path}, line {number + 1}: not valid UTF-8 ({e.Message}).", e);
        }
        return result;
    }

    private static string Clip(string s) => s.Length <= 60 ? s : s[..60] + "…";
}
