using Crnn.MLNet.Model;

namespace Crnn.MLNet.Imaging;

/// <summary>Geometry of a line model's input (from <see cref="CrnnLineModelMetadata"/>): what <see cref="CrnnLineNormalizer.Fit"/> produces.</summary>
/// <param name="Height">Input height in pixels.</param>
/// <param name="InkHeight">Rows the ink's bounding box is scaled to.</param>
/// <param name="Margin">Empty columns left and right of the ink.</param>
/// <param name="StepWidth">The width is padded up to a multiple of this (the model's time step width).</param>
/// <param name="MinWidth">Narrowest output.</param>
/// <param name="MaxWidth">Widest output; longer lines are scaled down (both axes) to fit.</param>
public sealed record CrnnLineLayout(int Height = 28, int InkHeight = 20, int Margin = 4, int StepWidth = 4, int MinWidth = 8, int MaxWidth = 2048)
{
    /// <summary>The layout a model's metadata asks for.</summary>
    public static CrnnLineLayout From(CrnnLineModelMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return new(metadata.Input.Height, metadata.Preprocessing.InkHeight, metadata.Preprocessing.Margin,
            metadata.TimeStepWidth, metadata.Input.MinWidth, metadata.Input.MaxWidth);
    }
}

/// <summary>A normalised line: <see cref="Height"/> x <see cref="Width"/> floats, row-major.</summary>
public sealed record CrnnLineInput(float[] Pixels, int Width, int Height);

/// <summary>
/// Turns a grayscale picture of one line of writing into a line model's input: polarity (ink bright), contrast
/// stretch, crop to the ink, scale the ink's height to the layout's ink height keeping the aspect ratio, centre it
/// vertically, add margins, pad the width to a multiple of the time step width, then <c>(v - mean) / std</c>.
/// The training side synthesises lines through the same <see cref="Fit"/>, so both see the same geometry.
/// Not thread-safe (scratch buffers): use one per thread.
/// </summary>
public sealed class CrnnLineNormalizer
{
    private readonly CrnnLineLayout _layout;
    private readonly float _mean, _invStd;
    private float[] _gray = [];
    private readonly LineCleaner _cleaner = new();

    /// <param name="metadata">The line model's metadata: input height, ink height, margins, time step width, normalisation.</param>
    /// <param name="polarity">Ink polarity; <see cref="InkPolarity.Auto"/> decides per image from its border.</param>
    /// <param name="cleanup">Clean-up of real line crops (scanner borders, ruling lines, locating the text).</param>
    public CrnnLineNormalizer(CrnnLineModelMetadata metadata, InkPolarity polarity = InkPolarity.Auto, LineCleanup cleanup = LineCleanup.Default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if ((cleanup & ~LineCleanup.All) != 0) throw new ArgumentOutOfRangeException(nameof(cleanup), cleanup, "unknown clean-up step");
        Cleanup = cleanup;
        _layout = CrnnLineLayout.From(metadata);
        _mean = (float)metadata.Normalization.Mean;
        _invStd = (float)(1 / metadata.Normalization.Std);
        Polarity = polarity;
    }

    /// <summary>
    /// A normaliser for a layout alone, without standardisation (values stay in [0, 1]): the training side reads its
    /// realistic synthetic pages through it, exactly as users' pictures are read.
    /// </summary>
    internal CrnnLineNormalizer(CrnnLineLayout layout, InkPolarity polarity, LineCleanup cleanup)
    {
        _layout = layout ?? throw new ArgumentNullException(nameof(layout));
        if ((cleanup & ~LineCleanup.All) != 0) throw new ArgumentOutOfRangeException(nameof(cleanup), cleanup, "unknown clean-up step");
        Cleanup = cleanup;
        Polarity = polarity;
        _mean = 0;
        _invStd = 1;
    }

    public InkPolarity Polarity { get; }

    public LineCleanup Cleanup { get; }

    public CrnnLineLayout Layout => _layout;

    /// <summary>Normalises an 8-bit grayscale image (row-major).</summary>
    public CrnnLineInput Normalize(ReadOnlySpan<byte> gray, int width, int height)
    {
        var g = Prepare(width, height, gray.Length);
        for (int i = 0; i < g.Length; i++) g[i] = gray[i] * (1f / 255f);
        return Finish(g, width, height);
    }

    /// <summary>Normalises 32-bit pixels (B,G,R,A or R,G,B,A, premultiplied alpha); transparency counts as white paper.</summary>
    public CrnnLineInput NormalizeColor(ReadOnlySpan<byte> pixels, int width, int height, bool bgra)
    {
        var g = Prepare(width, height, pixels.Length / 4);
        int r = bgra ? 2 : 0, b = bgra ? 0 : 2;
        for (int i = 0, p = 0; i < g.Length; i++, p += 4)
        {
            float lum = 0.299f * pixels[p + r] + 0.587f * pixels[p + 1] + 0.114f * pixels[p + b] + (255 - pixels[p + 3]);
            g[i] = MathF.Min(lum, 255f) * (1f / 255f);
        }
        return Finish(g, width, height);
    }

    private Span<float> Prepare(int width, int height, int length)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"image size must be positive, got {width}x{height}.");
        long n = (long)width * height;
        if (length < n) throw new ArgumentException($"a {width}x{height} image needs {n} pixels, got {length}.");
        if (_gray.Length < n) _gray = new float[n];
        return _gray.AsSpan(0, (int)n);
    }

    private CrnnLineInput Finish(Span<float> g, int width, int height)
    {
        // Scanner borders first: a black margin would turn the polarity decision round.
        if ((Cleanup & LineCleanup.RemoveBorders) != 0 && Polarity != InkPolarity.LightOnDark) _cleaner.RemoveBorders(g, width, height);
        bool invert = Polarity switch
        {
            InkPolarity.DarkOnLight => true,
            InkPolarity.LightOnDark => false,
            _ => HandwritingNormalizer.BorderMean(g, width, height) > 0.5f,
        };
        if (invert)
            for (int i = 0; i < g.Length; i++) g[i] = 1f - g[i];
        const LineCleanup onInk = LineCleanup.RemoveRulingLines | LineCleanup.LocateText | LineCleanup.Deskew | LineCleanup.Deslant;
        ReadOnlySpan<float> ink = g;
        if ((Cleanup & onInk) != 0 && Stretch(g, width, height))
        {
            float threshold = InkPieces.InkThreshold(g, LineCleaner.MinPieceThreshold, LineCleaner.MaxPieceThreshold);
            if ((Cleanup & LineCleanup.RemoveRulingLines) != 0) _cleaner.RemoveRulingLines(g, width, height, threshold);
            if ((Cleanup & LineCleanup.LocateText) != 0) _cleaner.LocateText(g, width, height, threshold);
            // Level first, then upright: the slant is measured along the (now level) rows.
            if ((Cleanup & LineCleanup.Deskew) != 0 && LineStraightening.EstimateSkew(ink, width, height) is var slope and not 0)
                ink = LineStraightening.Deskew(ink, width, height, slope, out height);
            if ((Cleanup & LineCleanup.Deslant) != 0 && LineStraightening.EstimateSlant(ink, width, height) is var shear and not 0)
                ink = LineStraightening.Deslant(ink, width, height, shear, out width);
        }
        var pixels = Fit(ink, width, height, _layout, out int outWidth);
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (pixels[i] - _mean) * _invStd;
        return new CrnnLineInput(pixels, outWidth, _layout.Height);
    }

    /// <summary>
    /// The geometric part: <paramref name="ink"/> is light-on-dark in [0, 1] (row-major, <paramref name="width"/> x
    /// <paramref name="height"/>); returns <c>layout.Height x outWidth</c> values in [0, 1]. A picture without ink
    /// (contrast below 0.08) gives an empty input of the minimum width.
    /// </summary>
    public static float[] Fit(ReadOnlySpan<float> ink, int width, int height, CrnnLineLayout layout, out int outWidth)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (width <= 0 || height <= 0 || ink.Length < (long)width * height)
            throw new ArgumentException($"a {width}x{height} image needs {(long)width * height} pixels, got {ink.Length}.");
        int h = layout.Height, step = layout.StepWidth;
        int minWidth = RoundUp(Math.Max(layout.MinWidth, step), step);

        // Contrast: paper level from the border, ink level from the strongest pixel.
        float bg = HandwritingNormalizer.BorderMean(ink, width, height), max = 0;
        foreach (float v in ink[..(width * height)]) max = MathF.Max(max, v);
        if (max - bg < HandwritingNormalizer.BlankContrast)
        {
            outWidth = minWidth;
            return new float[h * minWidth];
        }
        float scale = 1f / (max - bg);
        var g = new float[width * height];
        int x0 = width, y0 = height, x1 = -1, y1 = -1;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                float v = Math.Clamp((ink[y * width + x] - bg) * scale, 0f, 1f);
                g[y * width + x] = v;
                if (v > HandwritingNormalizer.CropThreshold)
                {
                    if (x < x0) x0 = x;
                    if (x > x1) x1 = x;
                    if (y < y0) y0 = y;
                    y1 = y;
                }
            }
        if (x1 < 0)
        {
            outWidth = minWidth;
            return new float[h * minWidth];
        }

        // Scale the ink's height to InkHeight; a line too long for MaxWidth is scaled down further (both axes).
        int bw = x1 - x0 + 1, bh = y1 - y0 + 1;
        double s = (double)layout.InkHeight / bh;
        int room = layout.MaxWidth / step * step - 2 * layout.Margin;
        if (bw * s > room) s = (double)room / bw;
        int pw = Math.Clamp((int)Math.Round(bw * s), 1, Math.Max(1, room));
        int ph = Math.Clamp((int)Math.Round(bh * s), 1, h);
        outWidth = Math.Max(minWidth, RoundUp(pw + 2 * layout.Margin, step));

        var resampler = new SeparableResampler();
        var tmp = new float[pw * bh];
        resampler.Prepare(bw, pw);
        for (int y = 0; y < bh; y++)
            resampler.Apply(g.AsSpan((y0 + y) * width + x0), 1, tmp.AsSpan(y * pw), 1);
        var result = new float[h * outWidth];
        int oy = (h - ph) / 2, ox = layout.Margin;
        resampler.Prepare(bh, ph);
        for (int x = 0; x < pw; x++)
            resampler.Apply(tmp.AsSpan(x), pw, result.AsSpan(oy * outWidth + ox + x), outWidth);
        return result;
    }

    /// <summary>Paper to 0, the strongest ink to 1 (as <see cref="Fit"/> does); false for a blank picture.</summary>
    private static bool Stretch(Span<float> g, int width, int height)
    {
        float bg = HandwritingNormalizer.BorderMean(g, width, height), max = 0;
        foreach (float v in g) max = MathF.Max(max, v);
        if (max - bg < HandwritingNormalizer.BlankContrast) return false;
        float scale = 1f / (max - bg);
        for (int i = 0; i < g.Length; i++) g[i] = Math.Clamp((g[i] - bg) * scale, 0f, 1f);
        return true;
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
