using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;
using Crnn.MLNet.Recognition;
using Crnn.MLNet.Tests.Support;
using SkiaSharp;

namespace Crnn.MLNet.Tests.Lines;

/// <summary>The line clean-up on real-looking line crops (as cut from scanned registers): what it removes, what it keeps.</summary>
public class LineCleanupTests
{
    private static CrnnTextRecognizer Open(LineCleanup cleanup) =>
        new(CrnnLineOnnxModel.FromBytes(TestLineModels.Build(), "lines.onnx"), new CrnnTextRecognizerOptions { Cleanup = cleanup }, ownsModel: true);

    /// <summary>The line "1 2 1" on a page crop: paper around it, then whatever <paramref name="clutter"/> adds.</summary>
    private static byte[] Page(Action<SKCanvas, int, int> clutter, string glyphs = "121")
    {
        using var line = TestLineModels.DrawLine(glyphs);
        int w = line.Width + 120, h = line.Height + 80;
        using var page = new SKBitmap(new SKImageInfo(w, h, SKColorType.Bgra8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(page))
        {
            canvas.Clear(new SKColor(235, 235, 230));
            canvas.DrawBitmap(line, 80, 40);
            clutter(canvas, w, h);
        }
        return TestImages.Encode(page);
    }

    private static SKPaint Ink(byte gray = 0) => new() { Color = new SKColor(gray, gray, gray), IsAntialias = false, Style = SKPaintStyle.Fill };

    [Fact]
    public void A_black_scanner_border_does_not_turn_the_polarity_round()
    {
        // The left third of the crop is the scanner's black background, as in crops from the edge of a register page.
        byte[] png = Page((c, w, h) => { using var p = Ink(); c.DrawRect(0, 0, 50, h, p); });
        using var plain = Open(LineCleanup.None);
        using var cleaned = Open(LineCleanup.Default);
        Assert.NotEqual("121", plain.Predict(png, "crop.png").Text);
        Assert.Equal("121", cleaned.Predict(png, "crop.png").Text);
    }

    [Fact]
    public void Underlines_rules_and_marks_off_the_line_are_dropped()
    {
        byte[] png = Page((c, w, h) =>
        {
            using var p = Ink(20);
            c.DrawRect(76, 68, 56, 3, p);        // an underline below the number
            c.DrawRect(20, 0, 2, h, p);          // a vertical rule of the form, full height
            c.DrawRect(0, 8, w, 2, p);           // a horizontal rule above
            c.DrawRect(w - 6, 30, 6, 30, p);     // the end of the next column's writing, cut by the crop's edge
            c.DrawRect(60, 90, 3, 3, p);         // a speck below
        });
        using var plain = Open(LineCleanup.None);
        using var cleaned = Open(LineCleanup.Default);
        Assert.NotEqual("121", plain.Predict(png, "crop.png").Text);
        Assert.Equal("121", cleaned.Predict(png, "crop.png").Text);
    }

    [Fact]
    public void A_clean_line_comes_out_the_same()
    {
        foreach (string glyphs in new[] { "1", "121", "1 2 1 1", "12121212" })
        {
            var gray = TestImages.Gray(TestLineModels.DrawLine(glyphs));
            using var bmp = TestLineModels.DrawLine(glyphs);
            var meta = TestLineModels.Metadata();
            var a = new CrnnLineNormalizer(meta, InkPolarity.Auto, LineCleanup.None).Normalize(gray, bmp.Width, bmp.Height);
            var b = new CrnnLineNormalizer(meta, InkPolarity.Auto, LineCleanup.Default).Normalize(gray, bmp.Width, bmp.Height);
            Assert.Equal(a.Width, b.Width);
            Assert.Equal(a.Pixels, b.Pixels);
        }
    }

    [Fact]
    public void A_full_stop_just_after_the_text_is_kept_and_a_speck_further_off_is_not()
    {
        // "121" then a 2x2 dot on the baseline: 4 columns after the last stroke it is the text's full stop ("K."); 36
        // columns after it, past half the text's height of paper, it is dust.
        foreach (var (gap, kept) in new[] { (4, true), (36, false) })
        {
            using var bmp = TestLineModels.DrawLine("121   ");
            using (var canvas = new SKCanvas(bmp))
            using (var p = Ink())
                canvas.DrawRect(6 + 2 * 16 + 8 + gap, 6 + 18, 2, 2, p);
            var gray = TestImages.Gray(bmp);
            var meta = TestLineModels.Metadata();
            var plain = new CrnnLineNormalizer(meta, InkPolarity.Auto, LineCleanup.None).Normalize(gray, bmp.Width, bmp.Height);
            var cleaned = new CrnnLineNormalizer(meta, InkPolarity.Auto, LineCleanup.Default).Normalize(gray, bmp.Width, bmp.Height);
            Assert.Equal(kept, plain.Width == cleaned.Width && plain.Pixels.SequenceEqual(cleaned.Pixels));
        }
    }

    [Fact]
    public void Light_writing_on_dark_and_strokes_touching_the_edge_are_not_borders()
    {
        // Thick light strokes on black, cut tight (the strokes touch the top and bottom): the dark background reaches
        // every side but is the background, and the strokes are writing.
        foreach (string glyphs in new[] { "1", "1121", "12121212" })
        {
            var dark = TestImages.Gray(TestLineModels.DrawLine(glyphs, pad: 0)).Select(v => (byte)(255 - v)).ToArray();
            using var bmp = TestLineModels.DrawLine(glyphs, pad: 0);
            var meta = TestLineModels.Metadata();
            var a = new CrnnLineNormalizer(meta, InkPolarity.Auto, LineCleanup.None).Normalize(dark, bmp.Width, bmp.Height);
            var b = new CrnnLineNormalizer(meta, InkPolarity.Auto, LineCleanup.Default).Normalize(dark, bmp.Width, bmp.Height);
            Assert.Equal(a.Pixels, b.Pixels);
            var light = TestImages.Gray(TestLineModels.DrawLine(glyphs, pad: 0));
            var c = new CrnnLineNormalizer(meta, InkPolarity.Auto, LineCleanup.None).Normalize(light, bmp.Width, bmp.Height);
            var d = new CrnnLineNormalizer(meta, InkPolarity.Auto, LineCleanup.Default).Normalize(light, bmp.Width, bmp.Height);
            Assert.Equal(c.Pixels, d.Pixels);
        }
    }

    [Fact]
    public void Unknown_steps_are_refused_by_name()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new CrnnLineNormalizer(TestLineModels.Metadata(), cleanup: (LineCleanup)64));
        Assert.Equal("cleanup", e.ParamName);
    }
}
