using Crnn.MLNet.Imaging;
using Crnn.MLNet.Tests.Support;
using SkiaSharp;

namespace Crnn.MLNet.Tests;

/// <summary>The character clean-up on real-looking crops: what it removes, what it keeps, and that it can be turned off.</summary>
public class CleanupTests
{
    private static readonly Model.CrnnModelMetadata Meta = TestModels.Metadata();

    private static float[] Normalise(SKBitmap bmp, CharacterCleanup cleanup)
    {
        var x = new float[784];
        new HandwritingNormalizer(Meta, InkPolarity.Auto, CharacterFraming.Fit, cleanup).NormalizeColor(bmp.GetPixelSpan(), bmp.Width, bmp.Height, bgra: true, x);
        return x;
    }

    /// <summary>
    /// How far apart two inputs are as the model sees their shapes: 1 - the overlap (intersection over union) of their ink
    /// (pixels above 0.3 of full ink). Intensity differences (darker or lighter ink) do not count.
    /// </summary>
    private static double Distance(float[] a, float[] b)
    {
        static bool Ink(float v) => v * 0.3081 + 0.1307 > 0.3;
        int both = 0, either = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (Ink(a[i]) && Ink(b[i])) both++;
            if (Ink(a[i]) || Ink(b[i])) either++;
        }
        return either == 0 ? 0 : 1 - (double)both / either;
    }

    private static void AssertDistance(float[] a, float[] b, string op, double bound, string what = "")
    {
        double d = Distance(a, b);
        Assert.True(op == "<" ? d < bound : d > bound, $"{what}: 1 - IoU of the ink = {d:F3}, expected {op} {bound}");
    }

    /// <summary>The shipped MNIST model reads the cluttered crop as it reads the clean one (with the default clean-up).</summary>
    private static void AssertSameReading(SKBitmap clean, SKBitmap cluttered)
    {
        if (RepoModel.MnistPath is not { } path) return;
        using var recognizer = Recognition.CrnnRecognizer.Open(path);
        Assert.Equal("3", recognizer.Predict(clean.GetPixelSpan().ToArray().Where((_, i) => i % 4 == 0).ToArray(), clean.Width, clean.Height).Label);
        Assert.Equal("3", recognizer.Predict(cluttered.GetPixelSpan().ToArray().Where((_, i) => i % 4 == 0).ToArray(), cluttered.Width, cluttered.Height).Label);
    }

    /// <summary>A "3" in a tight crop (its box plus a few pixels), as a form reader cuts it.</summary>
    private static SKBitmap Digit() => TestImages.Text("3", 60, 80, size: 80, cx: 0.5f, cy: 0.5f);

    private static void Draw(SKBitmap bmp, Action<SKCanvas, SKPaint> draw, byte gray = 0, float width = 5)
    {
        using var canvas = new SKCanvas(bmp);
        using var paint = new SKPaint { Color = new SKColor(gray, gray, gray), IsAntialias = true, StrokeWidth = width, Style = SKPaintStyle.Stroke };
        draw(canvas, paint);
    }

    [Fact]
    public void A_neighbours_stroke_cut_by_the_edge_is_dropped()
    {
        using var clean = Digit();
        using var cluttered = Digit();
        // The end of the next character, at the crop's right edge, over the full height.
        Draw(cluttered, (c, p) => c.DrawLine(58, 5, 56, 75, p));
        var expected = Normalise(clean, CharacterCleanup.Default);
        AssertDistance(expected, Normalise(cluttered, CharacterCleanup.None), ">", 0.2, "without clean-up the stroke changes the input");
        AssertDistance(expected, Normalise(cluttered, CharacterCleanup.Default), "<", 0.06, "with clean-up the input is the clean digit's");
        AssertSameReading(clean, cluttered);
    }

    [Fact]
    public void Specks_are_dropped_and_the_character_keeps_its_size()
    {
        using var clean = Digit();
        using var specked = Digit();
        Draw(specked, (c, p) => { c.DrawPoint(4, 4, p); c.DrawPoint(55, 70, p); c.DrawPoint(6, 60, p); }, width: 3);
        var expected = Normalise(clean, CharacterCleanup.Default);
        AssertDistance(expected, Normalise(specked, CharacterCleanup.None), ">", 0.2);
        AssertDistance(expected, Normalise(specked, CharacterCleanup.Default), "<", 0.02);
    }

    [Fact]
    public void Faint_background_lines_through_the_crop_do_not_count_as_ink()
    {
        using var clean = Digit();
        using var lined = Digit();
        // A printed pattern: light gray diagonal lines across the whole crop, touching the digit.
        Draw(lined, (c, p) => { for (int k = -80; k < 80; k += 9) c.DrawLine(k, 0, k + 60, 80, p); }, gray: 175, width: 1.5f);
        var expected = Normalise(clean, CharacterCleanup.Default);
        // Measured: 0.79 of the ink differs without clean-up, 0.40 with it (the strokes come out thinner, the box right).
        AssertDistance(expected, Normalise(lined, CharacterCleanup.None), ">", 0.7);
        AssertDistance(expected, Normalise(lined, CharacterCleanup.Default), "<", 0.45);
        AssertSameReading(clean, lined);
    }

    [Fact]
    public void An_uneven_paper_level_is_flattened()
    {
        using var clean = Digit();
        using var shaded = Digit();
        // Shading from white on the left to mid-gray on the right, under the ink.
        using (var canvas = new SKCanvas(shaded))
        using (var shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(60, 0), [new SKColor(0, 0, 0, 0), new SKColor(0, 0, 0, 110)], SKShaderTileMode.Clamp))
        using (var paint = new SKPaint { Shader = shader })
            canvas.DrawRect(0, 0, 60, 80, paint);
        var expected = Normalise(clean, CharacterCleanup.Default);
        // Measured: 0.84 without, 0.38 with flattening.
        AssertDistance(expected, Normalise(shaded, CharacterCleanup.None), ">", 0.7);
        AssertDistance(expected, Normalise(shaded, CharacterCleanup.FlattenBackground), "<", 0.45);
        AssertSameReading(clean, shaded);
    }

    [Fact]
    public void A_character_in_several_pieces_keeps_them_all()
    {
        // "i" and "=": pieces that do not touch, none at the edge.
        foreach (string text in new[] { "i", "=", "%" })
        {
            using var bmp = TestImages.Text(text, 90, 110, size: 80);
            foreach (var steps in new[] { CharacterCleanup.Default, CharacterCleanup.All })
                AssertDistance(Normalise(bmp, CharacterCleanup.None), Normalise(bmp, steps), "<", 0.02, $"{text} {steps}");
        }
    }

    [Fact]
    public void Clean_centred_input_is_unchanged_and_unknown_steps_are_refused()
    {
        foreach (string d in TestModels.Digits)
        {
            using var bmp = TestImages.Text(d, 120, 160, size: 120);
            foreach (var steps in new[] { CharacterCleanup.Default, CharacterCleanup.All })
                AssertDistance(Normalise(bmp, CharacterCleanup.None), Normalise(bmp, steps), "<", 0.01, $"{d} {steps}");
        }
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new HandwritingNormalizer(Meta, cleanup: (CharacterCleanup)8));
        Assert.Equal("cleanup", e.ParamName);
    }
}
