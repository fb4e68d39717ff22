using Crnn.MLNet.Training.Lines;
using Crnn.MLNet.Training.Realism;

namespace Crnn.MLNet.Training.Tests.Lines;

/// <summary>Lines made to look scanned (<see cref="LineSynthesisOptions.Realism"/>) and what they are made of.</summary>
[Collection(MnistCollection.Name)]
public class RealisticLineTests(MnistFixture mnist)
{
    private LineSynthesizer Synthesizer(double realism) =>
        new(mnist.Test, Enumerable.Range(0, mnist.Test.Count).ToArray(), new LineSynthesisOptions { Realism = realism });

    [MnistFact]
    public void RealisticLinesAreScannedPagesReadBackThroughTheLineNormalizer()
    {
        var lines = Synthesizer(1).FixedSet(60, seed: 4).ToList();
        Assert.Equal(Enumerable.Range(0, 60).Select(i => 1 + i % 10), lines.Select(l => l.Labels.Length));
        foreach (var line in lines)
        {
            var page = Assert.IsType<ScannedPage>(line.Scan);
            Assert.Equal(page.Width * page.Height, page.Pixels.Length);
            Assert.True(page.Height > 28, $"a page of {page.Width}x{page.Height} is no bigger than the model input");
            // Dark ink on light paper, as users' scans are: the median pixel is paper.
            var sorted = page.Pixels.Order().ToArray();
            Assert.True(sorted[sorted.Length / 2] > 120, $"median pixel {sorted[sorted.Length / 2]}");
            // What the model trains on is the normaliser's output: its geometry, ink bright, in [0, 1].
            Assert.Equal(28, line.Height);
            Assert.Equal(0, line.Width % 4);
            Assert.All(line.Pixels, p => Assert.InRange(p, 0f, 1f));
            Assert.True(line.Pixels.Max() > 0.6f, $"line {lines.IndexOf(line)}: no ink survived the normaliser ({line.Pixels.Max()}, {line.Width}, {page.Width}x{page.Height})");
            Assert.All(line.Labels, l => Assert.InRange(l, 0, 9)); // punctuation is drawn, never labelled
        }
    }

    [MnistFact]
    public void RealismZeroMakesTheCleanLinesOfEarlierVersions()
    {
        var clean = new LineSynthesizer(mnist.Test, Enumerable.Range(0, mnist.Test.Count).ToArray(), new LineSynthesisOptions()).FixedSet(40, seed: 9).ToList();
        var zero = Synthesizer(0).FixedSet(40, seed: 9).ToList();
        var half = Synthesizer(0.5).FixedSet(40, seed: 9).ToList();
        for (int i = 0; i < clean.Count; i++)
        {
            Assert.Equal(clean[i].Pixels, zero[i].Pixels);
            Assert.Null(zero[i].Scan);
        }
        int scanned = half.Count(l => l.Scan is not null);
        Assert.InRange(scanned, 10, 30);
        // The fixed test lines stay clean whatever the training's realism, so every model meets the same test set.
        var test = CtcLineTrainer.FixedTestLines(mnist.Test, new LineSynthesisOptions { Realism = 1 }, 20, 2026).ToList();
        var cleanTest = CtcLineTrainer.FixedTestLines(mnist.Test, new LineSynthesisOptions(), 20, 2026).ToList();
        Assert.All(test, l => Assert.Null(l.Scan));
        Assert.Equal(cleanTest.Select(l => l.Pixels), test.Select(l => l.Pixels));
    }

    [MnistFact]
    public void NearlyEveryRealisticLineHasEnoughTimeStepsForCtc()
    {
        // Clutter the clean-up leaves (a rule, a comma's tail) makes the ink box taller and the digits narrower;
        // CTC needs a step per character plus one between equal neighbours.
        var lines = Synthesizer(1).FixedSet(400, seed: 3).ToList();
        int short_ = lines.Count(l => l.Width / 4 < l.Labels.Length + l.Labels.Zip(l.Labels.Skip(1)).Count(p => p.First == p.Second));
        Assert.True(short_ <= lines.Count / 50, $"{short_} of {lines.Count} lines have fewer time steps than CTC needs");
    }

    [Fact]
    public void RealismOutsideZeroToOneIsRefused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new LineSynthesisOptions { Realism = 1.5 });
        Assert.Contains("0..1", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LineSynthesisOptions { Realism = double.NaN });
        Assert.Equal(0.25, (new LineSynthesisOptions { Realism = 0.25 }).Realism);
        Assert.Contains("at least one character", Assert.Throws<ArgumentException>(
            () => new LineSynthesizer(TinyDigitsForLines(), [0, 1], new LineSynthesisOptions { Realism = 1 }).Compose([], new Random(1))).Message);
    }

    private static Crnn.MLNet.Training.Data.CharacterDataset TinyDigitsForLines() => global::Crnn.MLNet.Training.Tests.Training.TinyDigits.Create(20);

    [Fact]
    public void RealismSurvivesTheCheckpointsJson()
    {
        var options = new LineTrainingOptions(synthesis: new LineSynthesisOptions(maxLength: 5) { Realism = 0.4 });
        string json = System.Text.Json.JsonSerializer.Serialize(options);
        var back = System.Text.Json.JsonSerializer.Deserialize<LineTrainingOptions>(json)!;
        Assert.Equal(0.4, back.Synthesis.Realism);
        Assert.Equal(5, back.Synthesis.MaxLength);
    }

    [Theory]
    [InlineData('.')]
    [InlineData(',')]
    [InlineData('-')]
    public void PunctuationMarksAreSmallInkOnTheLine(char kind)
    {
        var rng = new Random(1);
        for (int i = 0; i < 20; i++)
        {
            var (pixels, width, height, top) = PunctuationMarks.Draw(kind, 37, rng);
            Assert.Equal(width * height, pixels.Length);
            Assert.True(pixels.Max() > 0.9f, "the mark has no ink");
            Assert.InRange(width, 2, 16);
            Assert.InRange(height, 2, 14);
            // Within the glyphs' rows: a dot or comma near the baseline, a dash near the middle.
            Assert.InRange(top, 10, 36);
            if (kind == '-') Assert.InRange(top + height / 2, 15, 24);
            else Assert.InRange(top, 19, 32);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => PunctuationMarks.Draw('/', 37, rng));
    }

    [Fact]
    public void TheRendererPutsTheWritingOnPaperAtLeastAsLargeAsItWas()
    {
        var ink = new float[20 * 60];
        InkStrokes.Segment(ink, 60, 20, 10, 4, 10, 16, 2.5);
        InkStrokes.Segment(ink, 60, 20, 30, 4, 45, 16, 2.5);
        var rng = new Random(3);
        for (int i = 0; i < 50; i++)
        {
            var (pixels, w, h) = ScannedLineRenderer.Render(ink, 60, 20, rng);
            Assert.Equal(w * h, pixels.Length);
            Assert.True(w >= 56 && h >= 16, $"{w}x{h}");
            Assert.True(pixels.Min() < 140, "no dark ink on the page");
        }
    }
}
