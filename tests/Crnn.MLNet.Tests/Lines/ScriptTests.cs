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
    public void A_line_model_whose_label_is_more_than_one_utf16_unit_is_refused_clearly(string label)
    {
        // Not supported yet for line models (the CTC decoder and its patterns work on UTF-16 units); classifiers take them.
        var e = Assert.ThrowsAny<Exception>(() => Open(["ⴰ", label, "ⴱ"]));
        Assert.Contains("exactly one character", e.Message);
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
