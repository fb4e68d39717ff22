using Crnn.MLNet.Training.Data;
using Crnn.MLNet.Training.Lines;

namespace Crnn.MLNet.Training.Tests.Lines;

/// <summary>Block-capital name lines (<see cref="LineTextKind.Names"/>) from the EMNIST-47 test split.</summary>
public sealed class BlockCapitalLineTests
{
    private static readonly Lazy<CharacterDataset> Emnist47 = new(() =>
        DatasetLoader.Load(new DatasetRequest(Path.Combine(TestData.Dir!, "emnist47")), DatasetSplit.Test));

    private static readonly Lazy<CharacterDataset> Capitals = new(() => BlockCapitalText.Alphabet(Emnist47.Value));

    private static LineSynthesizer Names(double realism = 0, int maxLength = 24) =>
        new(Capitals.Value, Enumerable.Range(0, Capitals.Value.Count).ToArray(),
            new LineSynthesisOptions(1, maxLength) { Text = LineTextKind.Names, Realism = realism });

    [RealDataFact("emnist47")]
    public void AlphabetKeepsDigitsAndCapitalsAndAddsTheDrawnMarks()
    {
        var source = Emnist47.Value;
        var capitals = Capitals.Value;
        Assert.Equal(["0", "9", "A", "Z", " ", "-", "'", ".", ","], new[] { 0, 9, 10, 35, 36, 37, 38, 39, 40 }.Select(k => capitals.LabelNames[k]));
        Assert.Equal(41, capitals.ClassCount);
        // EMNIST-47's eleven lower-case classes (36..46) are dropped; digits and capitals keep their images in order.
        Assert.Equal(source.Labels.Count(l => l < 36), capitals.Count);
        var kept = Enumerable.Range(0, source.Count).Where(i => source.Labels[i] < 36).ToArray();
        Assert.Equal(kept.Select(i => source.LabelNames[source.Labels[i]]), capitals.Labels.Select(l => capitals.LabelNames[l]));
        Assert.True(source.Image(kept[^1]).SequenceEqual(capitals.Image(capitals.Count - 1)));
        var counts = capitals.ClassCounts();
        Assert.All(counts[..36], c => Assert.True(c > 0));
        Assert.All(counts[36..], c => Assert.Equal(0, c));
    }

    [Fact]
    public void AlphabetNamesTheMissingClasses()
    {
        var digits = new CharacterDataset("digits", new byte[10 * 4], Enumerable.Range(0, 10).ToArray(), 2, 2, Enumerable.Range(0, 10).Select(d => d.ToString()).ToArray());
        var e = Assert.Throws<ArgumentException>(() => BlockCapitalText.Alphabet(digits));
        Assert.Contains("dataset 'digits'", e.Message);
        Assert.Contains("missing A B C", e.Message);
    }

    [Fact]
    public void TextsAreBlockCapitalNamesAndCodesWithinTheLengths()
    {
        var rng = new Random(7);
        var texts = Enumerable.Range(0, 5000).Select(_ => BlockCapitalText.Next(rng, 2, 16)).ToList();
        string allowed = BlockCapitalText.Glyphs + BlockCapitalText.Marks;
        Assert.All(texts, t =>
        {
            Assert.InRange(t.Length, 2, 16);
            Assert.All(t, c => Assert.Contains(c, allowed));
            Assert.False(t.StartsWith(' ') || t.EndsWith(' ') || t.Contains("  "), $"'{t}' has a space at an end or two together");
        });
        // Every character of the set is written, and every kind of text is there.
        Assert.Empty(allowed.Except(texts.SelectMany(t => t)));
        var known = CommonNames.Given.Concat(CommonNames.Family).ToHashSet();
        double listed = texts.Count(known.Contains) / (double)texts.Count;
        Assert.InRange(listed, 0.3, 0.6);
        Assert.Contains(texts, t => t.Contains(' ') && t.Split(' ').All(known.Contains));
        Assert.Contains(texts, t => t.Contains('-') && t.Split('-').All(known.Contains));
        Assert.Contains(texts, t => t.StartsWith("O'"));
        Assert.Contains(texts, t => t.Length > 2 && t[1..3] == ". ");
        Assert.Contains(texts, t => t.Any(char.IsDigit) && t.Any(char.IsLetter));
        // Made-up names: mostly letters, not in the list, several of them.
        Assert.True(texts.Count(t => t.All(char.IsLetter) && !known.Contains(t)) > 500);
        // The same seed gives the same texts.
        var again = new Random(7);
        Assert.Equal(texts.Take(50), Enumerable.Range(0, 50).Select(_ => BlockCapitalText.Next(again, 2, 16)));
    }

    [RealDataFact("emnist47")]
    public void NameLinesAreLabelledWithTheirTextAndFitTheLayout()
    {
        var synth = Names();
        var a = synth.FixedSet(300, seed: 3).ToList();
        var b = synth.FixedSet(300, seed: 3).ToList();
        var labels = Capitals.Value.LabelNames;
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Labels, b[i].Labels);
            Assert.Equal(a[i].Pixels, b[i].Pixels);
            Assert.Equal(28, a[i].Height);
            Assert.Equal(0, a[i].Width % 4);
            string text = a[i].Text(labels);
            Assert.Equal(text.Trim(), text);
            // CTC needs a step per character and a blank between equal neighbours.
            int repeats = a[i].Labels.Zip(a[i].Labels.Skip(1)).Count(p => p.First == p.Second);
            Assert.True(a[i].Width / 4 >= a[i].Labels.Length + repeats, $"'{text}': {a[i].Labels.Length} characters in {a[i].Width / 4} steps");
        }
        Assert.Contains(a, l => l.Text(labels).Contains(' '));
        Assert.True(a.Select(l => l.Text(labels)).Distinct().Count() > 250);
    }

    [RealDataFact("emnist47")]
    public void ASpaceIsAWiderGapThanTheGapsBetweenLetters()
    {
        // The widest run of empty columns inside the ink, in lines of two words against lines of one.
        var labels = Capitals.Value.LabelNames;
        var lines = Names().FixedSet(2000, seed: 5).ToList();
        double WidestGap(SynthesizedLine line)
        {
            var inked = Enumerable.Range(0, line.Width).Select(x => Enumerable.Range(0, line.Height).Any(y => line.Pixels[y * line.Width + x] > 0.2f)).ToArray();
            int first = Array.IndexOf(inked, true), last = Array.LastIndexOf(inked, true), widest = 0, run = 0;
            for (int x = first; x <= last; x++) { run = inked[x] ? 0 : run + 1; widest = Math.Max(widest, run); }
            return widest;
        }
        var twoWords = lines.Where(l => l.Text(labels) is var t && t.Count(c => c == ' ') == 1 && t.All(c => c == ' ' || char.IsLetter(c))).Select(WidestGap).ToList();
        var oneWord = lines.Where(l => l.Text(labels) is var t && t.Length >= 6 && t.All(char.IsLetter)).Select(WidestGap).ToList();
        Assert.True(twoWords.Count > 50 && oneWord.Count > 200, $"{twoWords.Count} two-word lines, {oneWord.Count} one-word lines");
        Assert.True(twoWords.Average() > oneWord.Average() + 3, $"widest gap: two words {twoWords.Average():F1} px, one word {oneWord.Average():F1} px");
        Assert.True(twoWords.Count(g => g >= 5) > 0.9 * twoWords.Count, "a space should leave at least 5 empty columns");
    }

    [RealDataFact("emnist47")]
    public void NameLinesNeedTheBlockCapitalDatasetAndEveryGlyphInThePool()
    {
        var names = new LineSynthesisOptions(1, 24) { Text = LineTextKind.Names };
        var raw = Emnist47.Value;
        var e = Assert.Throws<ArgumentException>(() => new LineSynthesizer(raw, Enumerable.Range(0, 100).ToArray(), names));
        Assert.Contains("BlockCapitalText.Alphabet", e.Message);

        var capitals = Capitals.Value;
        var noQ = Enumerable.Range(0, capitals.Count).Where(i => capitals.LabelNames[capitals.Labels[i]] != "Q").ToArray();
        e = Assert.Throws<ArgumentException>(() => new LineSynthesizer(capitals, noQ, names));
        Assert.Contains("no 'Q'", e.Message);
    }

    [RealDataFact("emnist47")]
    public void WriteDrawsTheGivenTextsAndRefusesWhatTheDatasetCannotWrite()
    {
        var synth = Names();
        string[] texts = ["O'BRIEN", "SMITH, J.", "AB-12 CD", "Q"];
        var lines = synth.Write(texts, seed: 4).ToList();
        Assert.Equal(texts, lines.Select(l => l.Text(Capitals.Value.LabelNames)));
        Assert.Equal(lines.Select(l => l.Pixels), synth.Write(texts, seed: 4).Select(l => l.Pixels));

        var e = Assert.Throws<ArgumentException>(() => synth.Write(["SMITH", "Smith"], seed: 1));
        Assert.Contains("text 2 ('Smith'): dataset 'emnist47-capitals' cannot write 'm', 'i', 't', 'h'", e.Message);
        Assert.Contains("starts or ends with a space", Assert.Throws<ArgumentException>(() => synth.Write([" AB"], seed: 1)).Message);
        Assert.Contains("text 1 is empty", Assert.Throws<ArgumentException>(() => synth.Write(["  "], seed: 1)).Message);
    }

    [RealDataFact("emnist47")]
    public void RealisticNameLinesAreReadThroughTheCleanUp()
    {
        var labels = Capitals.Value.LabelNames;
        var lines = Names(realism: 1).FixedSet(60, seed: 11).ToList();
        Assert.All(lines, l =>
        {
            Assert.NotNull(l.Scan);
            Assert.Equal(28, l.Height);
            Assert.True(l.Width / 4 >= l.Labels.Length, $"'{l.Text(labels)}' in {l.Width / 4} steps");
        });
    }
}
