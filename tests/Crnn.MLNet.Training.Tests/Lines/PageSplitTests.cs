using Crnn.MLNet.Training.Lines;

namespace Crnn.MLNet.Training.Tests.Lines;

/// <summary>Own lines: labels.tsv with pages.tsv, and a split that never puts one page on both sides.</summary>
public sealed class PageSplitTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("crnn-pages-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static List<LabelledLine> Lines(int pages, int perPage) =>
        Enumerable.Range(0, pages * perPage).Select(i => new LabelledLine($"{i}.png", (i % 10).ToString(), i + 1) { Page = $"p{i / perPage}" }).ToList();

    [Fact]
    public void NoPageIsOnBothSidesAndValidationHoldsAtLeastTheFraction()
    {
        var lines = Lines(pages: 23, perPage: 7);
        var (training, validation) = PageSplit.Split(lines, 0.2, seed: 5);
        Assert.Equal(lines.Count, training.Count + validation.Count);
        Assert.Empty(training.Select(l => l.Page).Intersect(validation.Select(l => l.Page)));
        Assert.InRange(validation.Count, (int)Math.Ceiling(0.2 * lines.Count), (int)Math.Ceiling(0.2 * lines.Count) + 6);
        // The same seed gives the same split; another seed another one.
        Assert.Equal(validation, PageSplit.Split(lines, 0.2, seed: 5).Validation);
        Assert.NotEqual(validation.Select(l => l.Page).Distinct(), PageSplit.Split(lines, 0.2, seed: 6).Validation.Select(l => l.Page).Distinct());
    }

    [Fact]
    public void ALimitKeepsThatManyTrainingLinesAndTheSameValidation()
    {
        var lines = Lines(pages: 20, perPage: 10);
        var full = PageSplit.Split(lines, 0.25, seed: 1);
        var few = PageSplit.Split(lines, 0.25, seed: 1, trainingLimit: 30);
        Assert.Equal(30, few.Training.Count);
        Assert.Equal(full.Validation, few.Validation);
        Assert.All(few.Training, l => Assert.Contains(l, full.Training));
    }

    [Fact]
    public void LinesWithoutPagesAreTheirOwnGroupsAndOnePageCannotBeSplit()
    {
        var loose = Enumerable.Range(0, 10).Select(i => new LabelledLine($"{i}.png", "1", i + 1)).ToList();
        var (training, validation) = PageSplit.Split(loose, 0.3, seed: 2);
        Assert.Equal(3, validation.Count);
        Assert.Equal(7, training.Count);

        var onePage = Lines(pages: 1, perPage: 6);
        var e = Assert.Throws<ArgumentException>(() => PageSplit.Split(onePage, 0.2, seed: 1));
        Assert.Contains("all 6 lines come from one page", e.Message);
    }

    [Fact]
    public void PagesTsvNamesEachImagesPageAndMistakesAreNamed()
    {
        File.WriteAllLines(Path.Combine(folder, "labels.tsv"), ["a.png\t12", "b.png\t3", "c.png\t45"]);
        File.WriteAllLines(Path.Combine(folder, "pages.tsv"), ["b.png\tleft", "a.png\tright", "c.png\tleft"]);
        var lines = LineLabelsFile.Read(folder);
        Assert.Equal(["right", "left", "left"], lines.Select(l => l.Page));
        Assert.Equal(["12", "3", "45"], lines.Select(l => l.Text));

        File.WriteAllLines(Path.Combine(folder, "pages.tsv"), ["a.png\tright", "c.png\tleft"]);
        var e = Assert.Throws<InvalidDataException>(() => LineLabelsFile.Read(folder));
        Assert.Contains("pages.tsv: no page for 'b.png' (labels.tsv, line 2)", e.Message);

        File.WriteAllLines(Path.Combine(folder, "pages.tsv"), ["a.png\tright", "b.png\tleft", "a.png\tleft", "c.png\tx"]);
        e = Assert.Throws<InvalidDataException>(() => LineLabelsFile.Read(folder));
        Assert.Contains("pages.tsv, line 3: 'a.png' is listed twice", e.Message);

        File.WriteAllLines(Path.Combine(folder, "pages.tsv"), ["a.png right"]);
        e = Assert.Throws<InvalidDataException>(() => LineLabelsFile.Read(folder));
        Assert.Contains("pages.tsv, line 1: expected 'relative/path.png<TAB>page'", e.Message);

        File.Delete(Path.Combine(folder, "pages.tsv"));
        Assert.All(LineLabelsFile.Read(folder), l => Assert.Null(l.Page));
    }
}
