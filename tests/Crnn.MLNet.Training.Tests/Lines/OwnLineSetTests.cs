using Crnn.MLNet.Imaging;
using Crnn.MLNet.Training.Lines;
using SkiaSharp;

namespace Crnn.MLNet.Training.Tests.Lines;

/// <summary>Reading a folder of the user's own lines: normalised like <c>crnn read</c> reads them, unusable lines counted, bad images named.</summary>
public sealed class OwnLineSetTests : IDisposable
{
    private static readonly string[] Digits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    private readonly string folder = Directory.CreateTempSubdirectory("crnn-own-lines-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    // Dark strokes on light paper, as a scan: one upright bar per character.
    private void WriteLine(string file, int characters)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(30 * characters + 20, 60, SKColorType.Gray8, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(230, 230, 230));
            using var ink = new SKPaint { Color = new SKColor(20, 20, 20) };
            for (int c = 0; c < characters; c++) canvas.DrawRect(15 + 30 * c, 12, 6, 36, ink);
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(Path.Combine(folder, file), data.ToArray());
    }

    private void WriteFolder(params (string File, string Text, string Page)[] lines)
    {
        File.WriteAllLines(Path.Combine(folder, "labels.tsv"), lines.Select(l => $"{l.File}\t{l.Text}"));
        File.WriteAllLines(Path.Combine(folder, "pages.tsv"), lines.Select(l => $"{l.File}\t{l.Page}"));
    }

    [Fact]
    public void LinesAreNormalisedToTheLayoutAndUnusableOnesCounted()
    {
        for (int i = 0; i < 6; i++) WriteLine($"{i}.png", 1 + i % 3);
        WriteFolder(("0.png", "1", "a"), ("1.png", "11", "a"), ("2.png", "111", "b"), ("3.png", "1", "b"), ("4.png", "1x", "c"), ("5.png", "111", "c"));
        var layout = new CrnnLineLayout();
        var set = OwnLineSet.Load(folder, Digits, layout, validationFraction: 0.3, seed: 3);
        Assert.Equal(1, set.Skipped); // "1x": x is not a label
        Assert.Equal(5, set.Training.Count + set.Validation.Count);
        Assert.All(set.Training.Concat(set.Validation), l => Assert.Equal(layout.Height, l.Height));
        Assert.All(set.Training.Concat(set.Validation), l => Assert.All(l.Labels, c => Assert.Equal(1, c)));
        Assert.Equal(set.Validation.Count, set.ValidationSource.Count);
        Assert.Equal(set.ValidationSource.Select(l => l.Text.Length), set.Validation.Select(l => l.Labels.Length));
        // Whole pages are held out: every usable line of a held-out page is in validation.
        var usablePerPage = new Dictionary<string, int> { ["a"] = 2, ["b"] = 2, ["c"] = 1 };
        Assert.NotEmpty(set.ValidationPages);
        Assert.Equal(set.ValidationPages.Sum(p => usablePerPage[p]), set.Validation.Count);
        Assert.All(set.ValidationSource, l => Assert.Contains(l.Page, set.ValidationPages));
    }

    [Fact]
    public void ALabelOfSeveralUtf16UnitsIsOneCharacter()
    {
        // Mathematical double-struck one (U+1D7D9) is one character written as a surrogate pair.
        string[] labels = ["1", "\U0001D7D9"];
        for (int i = 0; i < 4; i++) WriteLine($"{i}.png", 2);
        WriteFolder(("0.png", "1\U0001D7D9", "a"), ("1.png", "11", "a"), ("2.png", "\U0001D7D91", "b"), ("3.png", "\U0001D7D9\U0001D7D9", "b"));
        var set = OwnLineSet.Load(folder, labels, new CrnnLineLayout(), 0.4, seed: 1);
        Assert.Equal(0, set.Skipped);
        Assert.All(set.Training.Concat(set.Validation), l => Assert.Equal(2, l.Labels.Length));
        Assert.Contains(set.Training.Concat(set.Validation), l => l.Labels.SequenceEqual([1, 1]));
    }

    [Fact]
    public void ACorruptImageIsNamedNotWrapped()
    {
        for (int i = 0; i < 3; i++) WriteLine($"{i}.png", 2);
        File.WriteAllBytes(Path.Combine(folder, "3.png"), [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        WriteFolder(("0.png", "11", "a"), ("1.png", "11", "a"), ("2.png", "11", "b"), ("3.png", "11", "b"));
        var e = Assert.Throws<InvalidDataException>(() => OwnLineSet.Load(folder, Digits, new CrnnLineLayout(), 0.4, seed: 1));
        Assert.Contains("3.png", e.Message);
    }

    [Fact]
    public void TooFewUsableLinesToSplitIsAClearError()
    {
        WriteLine("0.png", 1);
        WriteLine("1.png", 1);
        WriteFolder(("0.png", "1", "a"), ("1.png", "q", "b"));
        var e = Assert.Throws<ArgumentException>(() => OwnLineSet.Load(folder, Digits, new CrnnLineLayout(), 0.2, seed: 1));
        Assert.Contains("one page", e.Message);
    }
}
