using Crnn.MLNet.Decoding;
using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;
using Crnn.MLNet.Recognition;
using Crnn.MLNet.Tests.Support;
using Microsoft.ML.Data;
using SkiaSharp;

namespace Crnn.MLNet.Tests.Lines;

public class TextRecognizerTests
{
    private static CrnnTextRecognizer Open(CrnnTextRecognizerOptions? options = null) =>
        new(CrnnLineOnnxModel.FromBytes(TestLineModels.Build(), "lines.onnx"), options, ownsModel: true);

    [Fact]
    public void Reads_a_drawn_line_with_steps_and_alternatives()
    {
        using var reader = Open();
        var r = reader.Predict(TestLineModels.Png("123"), "line.png");
        Assert.Equal("123", r.Text);
        // 40 ink columns + 2 x 4 margin = 48 pixels = 12 steps; glyph i covers steps 1 + 4i and 2 + 4i.
        Assert.Equal(12, r.TimeSteps);
        Assert.Equal([(1, 2), (5, 6), (9, 10)], r.Characters.Select(c => (c.FirstStep, c.LastStep)));
        Assert.True(r.Confidence > 0.9f, $"confidence {r.Confidence}");
        Assert.All(r.Characters, c => Assert.Equal(c.Character, c.Alternatives[0].Character));
        Assert.All(r.Characters, c => Assert.Equal(3, c.Alternatives.Count));
    }

    [Fact]
    public void Repeated_characters_apart_are_kept_apart()
    {
        using var reader = Open();
        Assert.Equal("1121", reader.Predict(TestLineModels.Png("1121"), "line.png").Text);
        Assert.Equal("", reader.Predict(TestImages.Encode(new SKBitmap(40, 30)), "blank.png").Text);
    }

    [Fact]
    public async Task Every_input_kind_gives_the_same_text()
    {
        using var reader = Open();
        using var bmp = TestLineModels.DrawLine("1321");
        using var dir = new TempDir();
        string path = dir.File("line.png");
        TestImages.Save(bmp, path);
        var gray = TestImages.Gray(bmp);
        var decoded = new GrayImage();
        CrnnImageDecoder.DecodeFile(path, long.MaxValue, decoded);
        using var ml = MLImage.CreateFromFile(path);
        var normalized = new CrnnLineNormalizer(reader.Model.Metadata).Normalize(gray, bmp.Width, bmp.Height);
        using var stream = File.OpenRead(path);
        await using var asyncStream = File.OpenRead(path);
        string[] texts =
        [
            reader.Predict(path).Text,
            reader.Predict(stream).Text,
            reader.Predict(File.ReadAllBytes(path)).Text,
            reader.Predict(ml).Text,
            reader.Predict(decoded).Text,
            reader.Predict(gray, bmp.Width, bmp.Height).Text,
            reader.Predict(normalized).Text,
            (await reader.PredictAsync(asyncStream, path)).Text,
        ];
        Assert.All(texts, t => Assert.Equal("1321", t));
    }

    [Fact]
    public void Light_ink_on_dark_is_read_too()
    {
        using var reader = Open();
        using var bmp = TestLineModels.DrawLine("213");
        using var inverted = new SKBitmap(bmp.Width, bmp.Height);
        for (int y = 0; y < bmp.Height; y++)
            for (int x = 0; x < bmp.Width; x++)
            {
                var c = bmp.GetPixel(x, y);
                inverted.SetPixel(x, y, new SKColor((byte)(255 - c.Red), (byte)(255 - c.Green), (byte)(255 - c.Blue)));
            }
        Assert.Equal("213", reader.Predict(TestImages.Encode(inverted)).Text);
    }

    [Theory]
    [InlineData(false, 16)]
    [InlineData(true, 16)]
    [InlineData(true, 1)]
    public void Batches_of_mixed_widths_give_the_single_results_in_input_order(bool pad, int batchSize)
    {
        using var reader = Open(new CrnnTextRecognizerOptions { PadBatches = pad, BatchSize = batchSize });
        using var dir = new TempDir();
        string[] glyphs = ["1", "123", "21", "1111", "3 1", "123", "1"];
        var paths = glyphs.Select((g, i) =>
        {
            string p = dir.File($"{i}.png");
            File.WriteAllBytes(p, TestLineModels.Png(g));
            return p;
        }).ToArray();
        var batch = reader.Predict(paths);
        Assert.Equal(["1", "123", "21", "1111", "31", "123", "1"], batch.Select(r => r.Text));
        for (int i = 0; i < paths.Length; i++)
        {
            var single = reader.Predict(paths[i]);
            Assert.Equal(single.Confidence, batch[i].Confidence, 5);
            Assert.Equal(single.TimeSteps, batch[i].TimeSteps);
        }
    }

    [Fact]
    public void TryPredict_reports_bad_files_and_reads_the_rest()
    {
        using var reader = Open();
        using var dir = new TempDir();
        string good = dir.File("good.png"), bad = dir.File("bad.png"), missing = dir.File("missing.png");
        File.WriteAllBytes(good, TestLineModels.Png("12"));
        File.WriteAllText(bad, "not an image");
        var results = reader.TryPredict([bad, good, missing]);
        Assert.Equal([false, true, false], results.Select(r => r.Succeeded));
        Assert.Equal("12", results[1].Prediction!.Text);
        Assert.Contains(bad, results[0].Error);
        Assert.Contains(missing, results[2].Error);
        Assert.Contains(missing, Assert.Throws<InvalidDataException>(() => reader.Predict([good, missing])).Message);
    }

    [Fact]
    public void A_pattern_reads_only_what_it_allows()
    {
        using var reader = Open(new CrnnTextRecognizerOptions { Decoding = new CrnnCtcDecodingOptions { Pattern = "[12]+" } });
        var r = reader.Predict(TestLineModels.Png("123"));
        Assert.Equal("12", r.Text);
        Assert.True(r.Confidence < 0.01f, $"confidence {r.Confidence}");
        using var never = Open(new CrnnTextRecognizerOptions { Decoding = new CrnnCtcDecodingOptions { Pattern = @"\d{40}" } });
        var none = never.Predict(TestLineModels.Png("123"));
        Assert.Equal(("", 0f), (none.Text, none.Confidence));
    }

    [Fact]
    public void Options_are_checked_when_the_recognizer_is_made()
    {
        var model = CrnnLineOnnxModel.FromBytes(TestLineModels.Build(), "lines.onnx");
        using (model)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new CrnnTextRecognizer(model, new CrnnTextRecognizerOptions { BatchSize = 0 }));
            Assert.Throws<ArgumentOutOfRangeException>(() => new CrnnTextRecognizer(model, new CrnnTextRecognizerOptions { MaxImagePixels = 0 }));
            var e = Assert.Throws<ArgumentException>(() => new CrnnTextRecognizer(model, new CrnnTextRecognizerOptions { Decoding = new() { Alphabet = "12x" } }));
            Assert.Contains("'x' (U+0078) at position 2 is not among the model's labels (1 2 3)", e.Message);
        }
    }

    [Fact]
    public void A_wrong_normalised_line_is_named()
    {
        using var reader = Open();
        var e = Assert.Throws<ArgumentException>(() => reader.Predict(new CrnnLineInput(new float[32 * 10], 10, 32)));
        Assert.Contains("expected 28 rows and a width that is a multiple of 4", e.Message);
    }

    [Fact]
    public void Concurrent_predictions_agree()
    {
        using var reader = Open();
        var png = TestLineModels.Png("3121");
        var texts = new string[32];
        Parallel.For(0, texts.Length, i => texts[i] = reader.Predict(png).Text);
        Assert.All(texts, t => Assert.Equal("3121", t));
    }
}
