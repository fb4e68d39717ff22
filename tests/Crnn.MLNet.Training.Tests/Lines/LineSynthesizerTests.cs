using Crnn.MLNet.Training.Data;
using Crnn.MLNet.Training.Lines;

namespace Crnn.MLNet.Training.Tests.Lines;

[Collection(MnistCollection.Name)]
public class LineSynthesizerTests(MnistFixture mnist)
{
    [MnistFact]
    public void SameSeedGivesTheSameLinesAndAnotherSeedDifferentOnes()
    {
        var synth = new LineSynthesizer(mnist.Test, Enumerable.Range(0, 2000).ToArray(), new LineSynthesisOptions());
        var a = synth.FixedSet(30, seed: 5).ToList();
        var b = synth.FixedSet(30, seed: 5).ToList();
        var c = synth.FixedSet(30, seed: 6).ToList();
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Labels, b[i].Labels);
            Assert.Equal(a[i].Pixels, b[i].Pixels);
        }
        Assert.NotEqual(a.Select(l => string.Join("", l.Labels)), c.Select(l => string.Join("", l.Labels)));
    }

    [MnistFact]
    public void FixedSetCyclesThroughLengthsAndFitsTheLayout()
    {
        var options = new LineSynthesisOptions(minLength: 2, maxLength: 5);
        var synth = new LineSynthesizer(mnist.Test, Enumerable.Range(0, mnist.Test.Count).ToArray(), options);
        var lines = synth.FixedSet(40, seed: 1).ToList();
        Assert.Equal(Enumerable.Range(0, 40).Select(i => 2 + i % 4), lines.Select(l => l.Labels.Length));
        foreach (var line in lines)
        {
            Assert.Equal(28, line.Height);
            Assert.Equal(0, line.Width % options.Layout.StepWidth);
            Assert.Equal(line.Width * line.Height, line.Pixels.Length);
            Assert.All(line.Pixels, p => Assert.InRange(p, 0f, 1f));
            // The ink's rows span about InkHeight (20) of the 28: the top and bottom 3 rows stay empty.
            for (int x = 0; x < line.Width; x++)
            {
                Assert.True(line.Pixels[x] < 0.05f && line.Pixels[(line.Height - 1) * line.Width + x] < 0.05f, "ink touches the top or bottom edge");
            }
        }
    }

    [MnistFact]
    public void EveryLineHasEnoughTimeStepsForCtc()
    {
        // CTC needs at least one step per character plus one blank between equal neighbours.
        var synth = new LineSynthesizer(mnist.Test, Enumerable.Range(0, mnist.Test.Count).ToArray(), new LineSynthesisOptions());
        foreach (var line in synth.FixedSet(1000, seed: 3))
        {
            int repeats = line.Labels.Zip(line.Labels.Skip(1)).Count(p => p.First == p.Second);
            Assert.True(line.Width / 4 >= line.Labels.Length + repeats, $"{line.Labels.Length} characters in {line.Width / 4} steps");
        }
    }

    [MnistFact]
    public void LinesUseOnlyThePoolsImages()
    {
        // A pool of nothing but sevens writes nothing but sevens.
        var sevens = Enumerable.Range(0, mnist.Test.Count).Where(i => mnist.Test.Labels[i] == 7).ToArray();
        var synth = new LineSynthesizer(mnist.Test, sevens, new LineSynthesisOptions());
        var rng = new Random(9);
        for (int i = 0; i < 50; i++)
            Assert.All(synth.Next(rng).Labels, l => Assert.Equal(7, l));
    }

    [Fact]
    public void LabelsOfSeveralUtf16UnitsMakeLinesWhoseTextIsTheirConcatenation()
    {
        // A labialised Tifinagh letter (two code points) and a digit beyond the BMP (a surrogate pair) are one class each.
        var pixels = new byte[2 * 28 * 28];
        for (int i = 0; i < 2; i++)
            for (int y = 8; y < 20; y++) pixels[i * 784 + y * 28 + 14] = 255;   // a stroke each, so the image has ink
        var data = new CharacterDataset("script", pixels, [0, 1], 28, 28, ["ⴳⵯ", "𝟘"]);
        var synth = new LineSynthesizer(data, [0, 1], new LineSynthesisOptions(minLength: 3, maxLength: 3));
        var line = synth.Next(new Random(3));
        Assert.Equal(3, line.Labels.Length);
        Assert.Equal(string.Concat(line.Labels.Select(l => data.LabelNames[l])), line.Text(data.LabelNames));
        Assert.Matches("^(ⴳⵯ|𝟘){3}$", line.Text(data.LabelNames));
    }

    [Fact]
    public void BadOptionsAndPoolsAreRefusedWithTheirName()
    {
        Assert.Equal("maxLength", Assert.Throws<ArgumentOutOfRangeException>(() => new LineSynthesisOptions(minLength: 5, maxLength: 3)).ParamName);
        Assert.Equal("minLength", Assert.Throws<ArgumentOutOfRangeException>(() => new LineSynthesisOptions(minLength: 0)).ParamName);
        var data = new CharacterDataset("tiny", new byte[2 * 28 * 28], [0, 1], 28, 28, ["a", "b"]);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => new LineSynthesizer(data, [], new LineSynthesisOptions())).Message);
        var blank = new CharacterDataset("blank", new byte[2 * 28 * 28], [0, 1], 28, 28, ["", "c"]);
        Assert.Contains("dataset 'blank': label 0 is empty", Assert.Throws<ArgumentException>(() => new LineSynthesizer(blank, [0, 1], new LineSynthesisOptions())).Message);
    }
}
