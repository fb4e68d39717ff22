using System.Text;
using Crnn.MLNet.Training.Data;

namespace Crnn.MLNet.Training.Tests.Data;

public sealed class UnicodeLabelMappingTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private LabelMapping Parse(string text)
    {
        string path = _dir.Combine("mapping.txt");
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return LabelMapping.Parse(path);
    }

    [Fact]
    public void Code_points_beyond_the_bmp_text_labels_and_combining_marks_are_labels()
    {
        // Decomposed "é" (e + U+0301) is read as NFC; a digraph with a modifier letter; an emoji by code point.
        var mapping = Parse("# any script\n0 3302\n1 ⴳⵯ\n2 128578\n3 e\u0301\n4\tक्\n");
        Assert.Equal(["೦", "ⴳⵯ", "🙂", "é", "क्"], mapping.Names);
        Assert.Equal("\u00E9", mapping.Names[3]);
    }

    [Fact]
    public void Emnist_lines_keep_their_meaning()
    {
        var mapping = Parse("0 48\n1 65 97\n");
        Assert.Equal(["0", "A"], mapping.Names);
    }

    [Theory]
    [InlineData("0 ⴰ\n1 ⴰ\n", "also class 0's")]
    [InlineData("0 55296\n", "not a printable Unicode code point")]
    [InlineData("x ⴰ\n", "expected 'class-index character-code'")]
    [InlineData("0 ⴰ\n0 ⴱ\n", "listed twice")]
    public void Bad_lines_are_errors_naming_the_file_and_line(string text, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse(text));
        Assert.Contains("mapping.txt, line", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void The_shipped_tifinagh_mapping_names_33_distinct_tifinagh_letters()
    {
        string path = Path.Combine(RepoRoot(), "models", "tifinagh-mapping.txt");
        var mapping = LabelMapping.Parse(path);
        Assert.Equal(33, mapping.ClassCount);
        Assert.Equal(Enumerable.Range(0, 33), mapping.StoredValues);
        Assert.Equal(33, mapping.Names.Distinct().Count());
        Assert.All(mapping.Names, n => Assert.All(n.EnumerateRunes(), r => Assert.InRange(r.Value, 0x2D30, 0x2D7F)));
        Assert.Equal(2, mapping.Names.Count(n => n.EndsWith('\u2D6F')));   // yagw and yakw
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Crnn.MLNet.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("no Crnn.MLNet.sln above the tests");
    }
}
