using Crnn.MLNet.Imaging;
using Crnn.MLNet.Recognition;
using Crnn.MLNet.Tests.Support;
using SkiaSharp;

namespace Crnn.MLNet.Tests;

public class NormalizerTests
{
    private static readonly Model.CrnnModelMetadata Meta = TestModels.Metadata();
    private const float Background = (float)((0 - 0.1307) / 0.3081);

    /// <summary>Ink (0..1) back from a normalised input.</summary>
    private static float[] Ink(float[] x) => x.Select(v => (float)(v * 0.3081 + 0.1307)).ToArray();

    private static (int W, int H, double Cx, double Cy) Geometry(float[] ink)
    {
        int x0 = 28, y0 = 28, x1 = -1, y1 = -1;
        double sum = 0, sx = 0, sy = 0;
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++)
            {
                float v = ink[y * 28 + x];
                sum += v; sx += v * x; sy += v * y;
                if (v > 0.2f) { x0 = Math.Min(x0, x); x1 = Math.Max(x1, x); y0 = Math.Min(y0, y); y1 = Math.Max(y1, y); }
            }
        return (x1 - x0 + 1, y1 - y0 + 1, sx / sum, sy / sum);
    }

    private static float[] Normalise(SKBitmap bmp, InkPolarity polarity = InkPolarity.Auto)
    {
        var x = new float[784];
        new HandwritingNormalizer(Meta, polarity).NormalizeColor(bmp.GetPixelSpan(), bmp.Width, bmp.Height, bgra: true, x);
        return x;
    }

    public static TheoryData<string, int, int, float, float, float, float, bool> Cases() => new()
    {
        // text, canvas w, h, font size, centre x, centre y, stroke, dark on light
        { "3", 200, 200, 60, 0.2f, 0.25f, 0, true },     // small, off centre
        { "8", 400, 300, 280, 0.5f, 0.5f, 0, true },     // large
        { "5", 100, 100, 70, 0.6f, 0.6f, 8, true },      // thick
        { "2", 300, 300, 150, 0.5f, 0.4f, 0, false },    // light on dark
        { "7", 64, 64, 40, 0.3f, 0.7f, 0, true },        // tiny canvas
        { "0", 500, 120, 100, 0.8f, 0.5f, 1, true },     // wide canvas, far right
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Characters_are_fitted_into_20x20_and_centred_by_mass(string text, int w, int h, float size, float cx, float cy, float stroke, bool dark)
    {
        using var bmp = TestImages.Text(text, w, h, size, cx, cy, dark, stroke);
        var ink = Ink(Normalise(bmp));
        var g = Geometry(ink);
        Assert.InRange(Math.Max(g.W, g.H), 18, 20);
        Assert.InRange(Math.Min(g.W, g.H), 4, 20);
        Assert.InRange(g.Cx, 12.5, 14.5);
        Assert.InRange(g.Cy, 12.5, 14.5);
        // Paper is background, ink is bright (MNIST polarity).
        Assert.Equal(0f, ink[0], 3);
        Assert.True(ink.Max() > 0.9f);
    }

    [Fact]
    public void Thin_tall_stroke_keeps_its_aspect_ratio()
    {
        using var bmp = TestImages.Strokes([[new SKPoint(0.5f, 0), new SKPoint(0.5f, 1)]], 120, 200, 3, new SKRect(30, 20, 60, 180));
        var g = Geometry(Ink(Normalise(bmp)));
        Assert.InRange(g.H, 19, 20);
        Assert.InRange(g.W, 1, 4);
        Assert.InRange(g.Cx, 12.5, 14.5);
    }

    [Fact]
    public void Auto_polarity_treats_both_polarities_alike()
    {
        using var dark = TestImages.Text("4", 150, 150, 110, darkOnLight: true);
        using var light = TestImages.Text("4", 150, 150, 110, darkOnLight: false);
        var a = Normalise(dark);
        var b = Normalise(light);
        // Same geometry; anti-aliased edges may differ a little (text is rendered differently on black and on white).
        double meanDiff = a.Zip(b, (x, y) => Math.Abs(x - y)).Average();
        Assert.True(meanDiff < 0.05, $"mean difference {meanDiff}");
        var (ga, gb) = (Geometry(Ink(a)), Geometry(Ink(b)));
        Assert.Equal((ga.W, ga.H), (gb.W, gb.H));
        Assert.Equal(ga.Cx, gb.Cx, 0.2);
        Assert.Equal(ga.Cy, gb.Cy, 0.2);
        // Forcing the wrong polarity makes the paper the "ink": a different input.
        var wrong = Normalise(dark, InkPolarity.LightOnDark);
        Assert.True(a.Zip(wrong, (x, y) => Math.Abs(x - y)).Max() > 1f);
    }

    [Fact]
    public void Grey_paper_and_grey_ink_are_stretched()
    {
        using var bmp = TestImages.Text("6", 150, 150, 110, paper: new SKColor(200, 190, 180), ink: new SKColor(90, 90, 100));
        var ink = Ink(Normalise(bmp));
        Assert.Equal(0f, ink[0], 3);
        Assert.True(ink.Max() > 0.95f);
    }

    [Fact]
    public void Blank_image_is_all_background()
    {
        using var bmp = TestImages.Text(" ", 50, 50, 10);
        Assert.All(Normalise(bmp), v => Assert.Equal(Background, v, 4));
    }

    [Fact]
    public void Transparent_background_counts_as_paper()
    {
        var bmp = new SKBitmap(new SKImageInfo(100, 100, SKColorType.Bgra8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bmp))
        {
            canvas.Clear(SKColors.Transparent);
            using var paint = new SKPaint { Color = SKColors.Black, TextSize = 80, IsAntialias = true, TextAlign = SKTextAlign.Center };
            canvas.DrawText("1", 50, 80, paint);
        }
        var g = Geometry(Ink(Normalise(bmp)));
        Assert.InRange(g.H, 19, 20);
        bmp.Dispose();
    }

    [Fact]
    public void Framing_none_only_applies_the_normalisation()
    {
        var pixels = new byte[784];
        pixels[100] = 255;
        pixels[101] = 128;
        var x = new float[784];
        new HandwritingNormalizer(Meta, InkPolarity.Auto, CharacterFraming.None).Normalize(pixels, 28, 28, x);
        Assert.Equal((1 - 0.1307) / 0.3081, x[100], 4);
        Assert.Equal((128 / 255.0 - 0.1307) / 0.3081, x[101], 4);
        Assert.Equal(Background, x[0], 4);
        Assert.Throws<ArgumentException>(() => new HandwritingNormalizer(Meta, InkPolarity.Auto, CharacterFraming.None).Normalize(new byte[100], 10, 10, x));
    }

    /// <summary>
    /// The unframed paths (bytes and floats, each polarity setting, a light or dark border) give exactly
    /// ((inverted ? 1 - p / 255 : p / 255) - mean) / std for every pixel.
    /// </summary>
    [Theory]
    [InlineData(InkPolarity.Auto, false)]
    [InlineData(InkPolarity.Auto, true)]
    [InlineData(InkPolarity.LightOnDark, true)]
    [InlineData(InkPolarity.DarkOnLight, false)]
    public void Framing_none_matches_the_formula_for_every_pixel_and_polarity(InkPolarity polarity, bool lightPaper)
    {
        var rng = new Random(4);
        var bytes = new byte[784];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)rng.Next(256);
        // The border decides Auto: make it light (paper, so dark ink: invert) or dark.
        for (int i = 0; i < 28; i++)
            foreach (int p in new[] { i, 27 * 28 + i, i * 28, i * 28 + 27 }) bytes[p] = lightPaper ? (byte)240 : (byte)10;
        bool invert = polarity == InkPolarity.DarkOnLight || (polarity == InkPolarity.Auto && lightPaper);
        var floats = bytes.Select(b => (float)b).ToArray();
        var normalizer = new HandwritingNormalizer(Meta, polarity, CharacterFraming.None);
        var fromBytes = new float[784];
        var fromFloats = new float[784];
        normalizer.Normalize(bytes, 28, 28, fromBytes);
        normalizer.Normalize(floats, 28, 28, fromFloats);
        for (int i = 0; i < 784; i++)
        {
            double v = bytes[i] / 255.0;
            double expected = ((invert ? 1 - v : v) - 0.1307) / 0.3081;
            Assert.Equal(expected, fromBytes[i], 1e-5);
            Assert.Equal(expected, fromFloats[i], 1e-5);
        }
    }
}

/// <summary>With the real trained model: images drawn here (dark on light, off centre, large, small, thick, thin) read well.</summary>
public class RealModelTests
{
    [RealModelFact]
    public void Drawn_digits_are_recognised()
    {
        using var recognizer = CrnnRecognizer.Open(RepoModel.MnistPath!);
        var rng = new Random(5);
        int correct = 0, total = 0;
        var misses = new List<string>();
        foreach (var style in new (float Size, float Stroke)[] { (0.8f, 4f), (0.35f, 1f), (0.6f, 10f), (0.9f, 0f) })
            for (int d = 0; d < 10; d++)
            {
                int w = 80 + rng.Next(200), h = 80 + rng.Next(200);
                using var bmp = TestImages.Text(d.ToString(), w, h, Math.Min(w, h) * style.Size, 0.3f + (float)rng.NextDouble() * 0.4f, 0.35f + (float)rng.NextDouble() * 0.3f, darkOnLight: rng.Next(4) > 0, strokeWidth: style.Stroke);
                using var ms = new MemoryStream(TestImages.Encode(bmp));
                var p = recognizer.Predict(ms);
                total++;
                if (p.Label == d.ToString()) correct++; else misses.Add($"{d}->{p.Label}");
            }
        Assert.True(correct >= total * 0.8, $"{correct}/{total} correct; misses: {string.Join(", ", misses)}");
    }
}
