using Crnn.MLNet.Decoding;
using Crnn.MLNet.Model;
using Crnn.MLNet.Recognition;
using Crnn.MLNet.Tests.Support;

namespace Crnn.MLNet.Tests.Lines;

/// <summary>
/// Labels in other scripts through the line recogniser: what a model's classes are called is only text to us. The tiny
/// line model reads the glyphs "1", "2", "3" (see <see cref="TestLineModels"/>); here its three classes are named in
/// other scripts.
/// </summary>
public class ScriptTests
{
    private static CrnnTextRecognizer Open(string[] labels, CrnnTextRecognizerOptions? options = null) =>
        new(CrnnLineOnnxModel.FromBytes(TestLineModels.Build(metadataJson: TestLineModels.Metadata(labels).ToJson()), "lines.onnx"), options, ownsModel: true);

    [Fact]
    public void Right_to_left_labels_come_out_in_the_order_they_were_read_never_reordered()
    {
        // Hebrew alef, bet, gimel for the classes. The text is the classes in time-step order (the image's left to right),
        // as the model was trained; no bidirectional reordering, no direction marks are added.
        using var reader = Open(["א", "ב", "ג"]);
        var r = reader.Predict(TestLineModels.Png("123"), "line.png");
        Assert.Equal("\u05D0\u05D1\u05D2", r.Text);
        Assert.Equal("אבג", string.Concat(r.Characters.Select(c => c.Character)));
        Assert.DoesNotContain(r.Text, c => c is '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069'));
    }

    [Theory]
    [InlineData("\U00011013")]   // a Brahmi letter: one code point, two UTF-16 units
    [InlineData("क्")]            // a Devanagari conjunct: letter + virama
    [InlineData("ⴳⵯ")]            // a labialised Tifinagh letter
    public void A_label_of_several_utf16_units_is_read_as_one_character(string label)
    {
        using var reader = Open(["ⴰ", label, "ⴱ"], new CrnnTextRecognizerOptions { Decoding = new CrnnCtcDecodingOptions { Alternatives = 3 } });
        var r = reader.Predict(TestLineModels.Png("123"), "line.png");
        Assert.Equal("ⴰ" + label + "ⴱ", r.Text);
        Assert.Equal(["ⴰ", label, "ⴱ"], r.Characters.Select(c => c.Character));
        Assert.Equal(label, r.Characters[1].Alternatives[0].Character);
    }

    [Fact]
    public void Characters_beyond_the_bmp_are_single_characters_in_patterns()
    {
        // Mathematical double-struck digits zero, one, two: surrogate pairs. In .NET's Regex, '.' and '[𝟘-𝟙]' would
        // see their UTF-16 halves; here they see characters.
        string[] labels = ["𝟘", "𝟙", "𝟚"];
        string Read(string pattern) =>
            Open(labels, new CrnnTextRecognizerOptions { Decoding = new CrnnCtcDecodingOptions { Pattern = pattern } })
                .Predict(TestLineModels.Png("123"), "line.png").Text;
        Assert.Equal("𝟘𝟙𝟚", Read(".{3}"));
        Assert.Equal("𝟘𝟙𝟚", Read(@"\d+"));                    // \d covers digits beyond the BMP too
        Assert.Equal("𝟘𝟙𝟚", Read("𝟘𝟙?𝟚"));                     // the quantifier repeats the whole pair
        Assert.Matches("^[𝟘𝟙]+$", Read("[𝟘-𝟙]+"));
        Assert.Matches("^[𝟘𝟚]+$", Read("[^𝟙]+"));
        Assert.StartsWith("𝟘", Read(@"\uD835\uDFD8.*"));        // a pair written as two escapes, as in C#
        Assert.Contains("lone surrogate", Assert.Throws<ArgumentException>(() => CrnnTextPattern.Parse(@"\uD835x")).Message);
        Assert.Contains("lone surrogate", Assert.Throws<ArgumentException>(() => CrnnTextPattern.Parse("a\uDFD8")).Message);
    }

    [Fact]
    public void Alphabets_and_patterns_see_labels_of_several_units_whole()
    {
        // "ⴳ" and "ⴳⵯ" are different letters: the alphabet "ⴳⵯ" allows the labialised one only (longest label first).
        var labels = new[] { "ⴰ", "ⴳⵯ", "ⴳ" };
        var onlyLabialised = new CrnnCtcDecoder(labels, new CrnnCtcDecodingOptions { Mode = CrnnCtcDecodingMode.BeamSearch, Alphabet = "ⴳⵯ" });
        var logProbs = new float[3 * 4];
        for (int t = 0; t < 3; t++)
            for (int c = 0; c < 4; c++) logProbs[t * 4 + c] = MathF.Log(c == 3 ? 0.7f : 0.1f);   // "ⴳ" most likely everywhere
        Assert.Equal("ⴳⵯ", onlyLabialised.Decode(logProbs, 3).Text);
        Assert.Equal("ⴳ", new CrnnCtcDecoder(labels).Decode(logProbs, 3).Text);
        Assert.Equal("ⴳⵯⴳ", new CrnnCtcDecoder(labels, new CrnnCtcDecodingOptions { Pattern = "ⴳⵯⴳ" }).Decode(logProbs, 3).Text);
        Assert.Contains("'ⵯ' (U+2D6F) at position 0 is not among the model's labels",
            Assert.Throws<ArgumentException>(() => new CrnnCtcDecoder(labels, new CrnnCtcDecodingOptions { Alphabet = "ⵯⴰ" })).Message);
    }

    [Fact]
    public void Empty_duplicate_or_broken_labels_are_refused_by_name()
    {
        Assert.Contains("label 1 is empty", Assert.Throws<ArgumentException>(() => new CrnnCtcDecoder(["a", "", "b"])).Message);
        Assert.Contains("'a' appears 2 times", Assert.Throws<ArgumentException>(() => new CrnnCtcDecoder(["a", "b", "a"])).Message);
        Assert.Contains("label 0 is not valid UTF-16", Assert.Throws<ArgumentException>(() => new CrnnCtcDecoder(["\uD835", "b"])).Message);
    }

    [Fact]
    public void Character_error_rates_count_what_a_reader_counts_as_one_character()
    {
        // A character beyond the BMP, a letter with a combining accent and a conjunct with its virama are one each.
        Assert.Equal(1, Crnn.MLNet.Evaluation.CrnnTextEvaluator.EditDistance("𝟘𝟙", "𝟘𝟚"));
        Assert.Equal(1, Crnn.MLNet.Evaluation.CrnnTextEvaluator.EditDistance("e\u0301t", "et"));
        var m = Crnn.MLNet.Evaluation.CrnnTextEvaluator.Evaluate([("𝟘𝟙क्", "𝟘𝟙क")]);
        Assert.Equal(3, m.ReferenceCharacters);
        Assert.Equal(1, m.Edits);
    }

    [Fact]
    public void Patterns_and_alphabets_work_in_other_scripts()
    {
        // Kannada digits one, two, three: .NET counts them as \d, so a digits-only pattern needs no Kannada of its own.
        using var anyDigits = Open(["೧", "೨", "೩"], new CrnnTextRecognizerOptions { Decoding = new CrnnCtcDecodingOptions { Pattern = @"\d{2}" } });
        var held = anyDigits.Predict(TestLineModels.Png("123"), "line.png");
        Assert.Equal(2, held.Text.Length);
        Assert.All(held.Text, c => Assert.True(char.IsDigit(c)));

        using var ranges = Open(["ⴰ", "ⴱ", "ⴳ"], new CrnnTextRecognizerOptions { Decoding = new CrnnCtcDecodingOptions { Pattern = "[ⴰ-ⴱ]+" } });
        Assert.Matches("^[ⴰⴱ]+$", ranges.Predict(TestLineModels.Png("123"), "line.png").Text);

        using var alphabet = Open(["ⴰ", "ⴱ", "ⴳ"], new CrnnTextRecognizerOptions { Decoding = new CrnnCtcDecodingOptions { Alphabet = "ⴱⴳ" } });
        Assert.DoesNotContain('ⴰ', alphabet.Predict(TestLineModels.Png("123"), "line.png").Text);
    }
}
