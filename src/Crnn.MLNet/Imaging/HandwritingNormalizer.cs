using System.Numerics;
using Crnn.MLNet.Model;

namespace Crnn.MLNet.Imaging;

/// <summary>Which way round ink and paper are in an input image.</summary>
public enum InkPolarity
{
    /// <summary>Decide per image from its border: a light border means dark ink on light paper.</summary>
    Auto,
    /// <summary>Dark ink on light paper (a scan or a photo of writing): inverted before scoring.</summary>
    DarkOnLight,
    /// <summary>Light ink on a dark background (MNIST's convention): used as is.</summary>
    LightOnDark,
}

/// <summary>How a character is placed into the model's input.</summary>
public enum CharacterFraming
{
    /// <summary>
    /// Crop to the ink, scale (keeping the aspect ratio) to fit the model's fit box (20 x 20 for MNIST) and centre it
    /// in the input (by centre of mass for MNIST), as the model's metadata says. For images of any size.
    /// </summary>
    Fit,
    /// <summary>
    /// Use the pixels as they are: the image must already have the model's input size and be framed like the
    /// training data (for example rows of an MNIST IDX file). Only polarity and the normalisation are applied.
    /// </summary>
    None,
}

/// <summary>
/// Turns a grayscale picture of one character into the model's input tensor: polarity, crop to the ink,
/// fit into the fit box keeping the aspect ratio, centre, then <c>(v - mean) / std</c>.
/// Not thread-safe: it keeps scratch buffers so that scoring allocates nothing per image; use one per thread.
/// </summary>
public sealed class HandwritingNormalizer
{
    private readonly int _height, _width, _fitBox;
    private readonly float _mean, _invStd;
    private readonly CrnnCentering _centering;
    private float[] _gray = [];
    private float[] _patch = [];
    private float[] _tmp = [];
    private readonly SeparableResampler _resampler = new();
    private readonly CharacterCleaner _cleaner = new();

    /// <summary>Ink below this fraction of the strongest ink is treated as paper when cropping.</summary>
    internal const float CropThreshold = 0.2f;

    /// <summary>An image whose ink is weaker than this (range 0..1) counts as blank.</summary>
    internal const float BlankContrast = 0.08f;

    /// <param name="metadata">The model's metadata: input size, fit box, centring and normalisation.</param>
    /// <param name="polarity">Ink polarity; <see cref="InkPolarity.Auto"/> decides per image from its border.</param>
    /// <param name="framing">Crop, fit and centre (<see cref="CharacterFraming.Fit"/>), or use the pixels as they are.</param>
    /// <param name="cleanup">Clean-up of real crops before cropping to the ink (with <see cref="CharacterFraming.Fit"/> only); the default keeps the central ink.</param>
    public HandwritingNormalizer(CrnnModelMetadata metadata, InkPolarity polarity = InkPolarity.Auto, CharacterFraming framing = CharacterFraming.Fit,
        CharacterCleanup cleanup = CharacterCleanup.Default)
    {
        if ((cleanup & ~CharacterCleanup.All) != 0) throw new ArgumentOutOfRangeException(nameof(cleanup), cleanup, "unknown clean-up step");
        ArgumentNullException.ThrowIfNull(metadata);
        _height = metadata.Input.Height;
        _width = metadata.Input.Width;
        _fitBox = metadata.Preprocessing.FitBox;
        _centering = metadata.Preprocessing.Centering;
        _mean = (float)metadata.Normalization.Mean;
        _invStd = (float)(1 / metadata.Normalization.Std);
        if (metadata.Preprocessing.Polarity != "light-on-dark")
            throw new NotSupportedException($"preprocessing polarity '{metadata.Preprocessing.Polarity}' is not supported (expected 'light-on-dark').");
        Polarity = polarity;
        Framing = framing;
        Cleanup = cleanup;
    }

    /// <summary>
    /// A normaliser for a geometry alone, without standardisation (values stay in [0, 1]): the training side reads its
    /// realistic synthetic crops through it, exactly as users' pictures are read.
    /// </summary>
    internal HandwritingNormalizer(int height, int width, CrnnPreprocessing preprocessing, CharacterCleanup cleanup)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        if ((cleanup & ~CharacterCleanup.All) != 0) throw new ArgumentOutOfRangeException(nameof(cleanup), cleanup, "unknown clean-up step");
        _height = height;
        _width = width;
        _fitBox = preprocessing.FitBox;
        _centering = preprocessing.Centering;
        _mean = 0;
        _invStd = 1;
        Polarity = InkPolarity.Auto;
        Framing = CharacterFraming.Fit;
        Cleanup = cleanup;
    }

    public InkPolarity Polarity { get; }
    public CharacterFraming Framing { get; }
    public CharacterCleanup Cleanup { get; }

    /// <summary>Floats written per image.</summary>
    public int OutputSize => _height * _width;

    /// <summary>Normalises an 8-bit grayscale image (row-major, <paramref name="width"/> x <paramref name="height"/>).</summary>
    public void Normalize(ReadOnlySpan<byte> gray, int width, int height, Span<float> destination)
    {
        if (Framing == CharacterFraming.None)
        {
            Check(width, height, gray.Length, destination);
            var (scale, offset) = Affine(InvertByBorder(gray, width, height));
            for (int i = 0; i < OutputSize; i++) destination[i] = gray[i] * scale + offset;
            return;
        }
        var g = Prepare(width, height, gray.Length, destination);
        for (int i = 0; i < g.Length; i++) g[i] = gray[i] * (1f / 255f);
        Finish(width, height, destination);
    }

    /// <summary>Normalises a grayscale image given as floats in 0..255 (row-major).</summary>
    public void Normalize(ReadOnlySpan<float> gray, int width, int height, Span<float> destination)
    {
        if (Framing == CharacterFraming.None)
        {
            Check(width, height, gray.Length, destination);
            NormalizeUnframed(gray, width, height, destination);
            return;
        }
        var g = Prepare(width, height, gray.Length, destination);
        for (int i = 0; i < g.Length; i++) g[i] = gray[i] * (1f / 255f);
        Finish(width, height, destination);
    }

    /// <summary>
    /// Normalises 32-bit pixels (B,G,R,A or R,G,B,A bytes, premultiplied alpha as in <see cref="Microsoft.ML.Data.MLImage"/>).
    /// Transparent areas count as white paper.
    /// </summary>
    public void NormalizeColor(ReadOnlySpan<byte> pixels, int width, int height, bool bgra, Span<float> destination)
    {
        var g = Prepare(width, height, pixels.Length / 4, destination);
        int r = bgra ? 2 : 0, b = bgra ? 0 : 2;
        for (int i = 0, p = 0; i < g.Length; i++, p += 4)
        {
            // Luma of the premultiplied colour composited over white.
            float lum = 0.299f * pixels[p + r] + 0.587f * pixels[p + 1] + 0.114f * pixels[p + b] + (255 - pixels[p + 3]);
            g[i] = MathF.Min(lum, 255f) * (1f / 255f);
        }
        Finish(width, height, destination);
    }

    /// <summary>
    /// Unframed float input (0..255) in one sequential pass, row by row: (x / 255 - mean) / std a vector at a time, the
    /// border summed on the way (reading the border first, column by column, would miss the cache on every row of an
    /// image not yet in it); then, if the border says dark ink on light paper, the output is inverted in place:
    /// ((1 - x / 255) - mean) / std = (1 - 2 mean) / std - (x / 255 - mean) / std.
    /// </summary>
    private void NormalizeUnframed(ReadOnlySpan<float> gray, int w, int h, Span<float> destination)
    {
        var (scale, offset) = Affine(invert: false);
        float border = 0;
        long counted = 0;
        var vs = new Vector<float>(scale);
        var vo = new Vector<float>(offset);
        for (int y = 0; y < h; y++)
        {
            var row = gray.Slice(y * w, w);
            var dest = destination.Slice(y * w, w);
            int x = 0;
            if (Vector.IsHardwareAccelerated)
                for (; x <= w - Vector<float>.Count; x += Vector<float>.Count)
                    (new Vector<float>(row.Slice(x)) * vs + vo).CopyTo(dest.Slice(x));
            for (; x < w; x++) dest[x] = row[x] * scale + offset;
            if (Polarity != InkPolarity.Auto) continue;
            var (left, right) = BorderOfRow(y, w, h);
            border += Sum(row[..left]) + Sum(row[(w - right)..]);
            counted += left + right;
        }
        bool invert = Polarity switch
        {
            InkPolarity.DarkOnLight => true,
            InkPolarity.LightOnDark => false,
            _ => counted > 0 && border / counted > 0.5f * 255f,
        };
        if (!invert) return;
        float flip = (1f - 2f * _mean) * _invStd;
        var output = destination[..OutputSize];
        for (int i = 0; i < output.Length; i++) output[i] = flip - output[i];
    }

    /// <summary>
    /// For unframed input (0..255): whether to invert, from the polarity or the border; the border is averaged on the raw
    /// values, so no scaled copy is made.
    /// </summary>
    private bool InvertByBorder(ReadOnlySpan<byte> pixels, int w, int h) => Polarity switch
    {
        InkPolarity.DarkOnLight => true,
        InkPolarity.LightOnDark => false,
        _ => BorderMean(pixels, w, h) > 0.5f * 255f,
    };

    /// <summary>
    /// (pixel / 255, inverted when asked, - mean) / std as pixel x scale + offset.
    /// </summary>
    private (float Scale, float Offset) Affine(bool invert) => invert
        ? (-_invStd / 255f, (1f - _mean) * _invStd)
        : (_invStd / 255f, -_mean * _invStd);

    private void Check(int width, int height, int length, Span<float> destination)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"image size must be positive, got {width}x{height}.");
        long n = (long)width * height;
        if (length < n) throw new ArgumentException($"a {width}x{height} image needs {n} pixels, got {length}.");
        if (destination.Length < OutputSize) throw new ArgumentException($"destination holds {destination.Length} floats, needs {OutputSize}.");
        if (Framing == CharacterFraming.None && (width != _width || height != _height))
            throw new ArgumentException($"framing 'None' needs images of the model's input size {_width}x{_height}, got {width}x{height}; use framing 'Fit'.");
    }

    private Span<float> Prepare(int width, int height, int length, Span<float> destination)
    {
        Check(width, height, length, destination);
        int n = width * height;
        Grow(ref _gray, n);
        return _gray.AsSpan(0, n);
    }

    private void Finish(int w, int h, Span<float> dest)
    {
        var g = _gray.AsSpan(0, w * h);
        bool invert = Polarity switch
        {
            InkPolarity.DarkOnLight => true,
            InkPolarity.LightOnDark => false,
            _ => BorderMean(g, w, h) > 0.5f,
        };
        if (invert)
            for (int i = 0; i < g.Length; i++) g[i] = 1f - g[i];

        if (Framing == CharacterFraming.None)
        {
            for (int i = 0; i < g.Length; i++) dest[i] = (g[i] - _mean) * _invStd;
            return;
        }

        if ((Cleanup & CharacterCleanup.FlattenBackground) != 0) _cleaner.FlattenBackground(g, w, h);

        // Contrast: paper level from the border, ink level from the strongest pixel.
        float bg = BorderMean(g, w, h), max = 0;
        foreach (float v in g) max = MathF.Max(max, v);
        float background = (0 - _mean) * _invStd;
        if (max - bg < BlankContrast)
        {
            dest[..OutputSize].Fill(background);
            return;
        }
        float scale = 1f / (max - bg);
        int x0 = w, y0 = h, x1 = -1, y1 = -1;
        for (int y = 0; y < h; y++)
        {
            var row = g.Slice(y * w, w);
            for (int x = 0; x < w; x++)
            {
                float v = Math.Clamp((row[x] - bg) * scale, 0f, 1f);
                row[x] = v;
                if (v > CropThreshold)
                {
                    if (x < x0) x0 = x;
                    if (x > x1) x1 = x;
                    if (y < y0) y0 = y;
                    y1 = y;
                }
            }
        }
        if (x1 >= 0 && (Cleanup & CharacterCleanup.KeepCentralInk) != 0)
        {
            float pieces = InkPieces.InkThreshold(g, CharacterCleaner.MinInkThreshold, CharacterCleaner.MaxInkThreshold);
            var box = _cleaner.KeepCentralInk(g, w, h, pieces, CropThreshold);
            if (box.X1 >= 0) (x0, y0, x1, y1) = box;
        }
        if (x1 < 0)
        {
            dest[..OutputSize].Fill(background);
            return;
        }

        // Fit the ink's bounding box into the fit box, keeping the aspect ratio.
        int bw = x1 - x0 + 1, bh = y1 - y0 + 1;
        double s = (double)_fitBox / Math.Max(bw, bh);
        int pw = Math.Clamp((int)Math.Round(bw * s), 1, _fitBox), ph = Math.Clamp((int)Math.Round(bh * s), 1, _fitBox);
        Grow(ref _patch, pw * ph);
        Grow(ref _tmp, pw * bh);
        var patch = _patch.AsSpan(0, pw * ph);
        // Horizontal pass: bh rows of bw -> pw, then vertical: pw columns of bh -> ph.
        var tmp = _tmp.AsSpan(0, pw * bh);
        _resampler.Prepare(bw, pw);
        for (int y = 0; y < bh; y++)
            _resampler.Apply(g.Slice((y0 + y) * w + x0), 1, tmp.Slice(y * pw), 1);
        _resampler.Prepare(bh, ph);
        for (int x = 0; x < pw; x++)
            _resampler.Apply(tmp.Slice(x), pw, patch.Slice(x), pw);

        // Place: centre of mass (MNIST) or bounding box at the canvas centre, with whole-pixel shifts.
        int ox, oy;
        if (_centering == CrnnCentering.CenterOfMass)
        {
            double sum = 0, sx = 0, sy = 0;
            for (int y = 0; y < ph; y++)
                for (int x = 0; x < pw; x++)
                {
                    float v = patch[y * pw + x];
                    sum += v; sx += v * x; sy += v * y;
                }
            double cx = sum > 0 ? sx / sum : (pw - 1) / 2.0, cy = sum > 0 ? sy / sum : (ph - 1) / 2.0;
            ox = (int)Math.Round((_width - 1) / 2.0 - cx);
            oy = (int)Math.Round((_height - 1) / 2.0 - cy);
        }
        else
        {
            ox = (_width - pw) / 2;
            oy = (_height - ph) / 2;
        }
        dest[..OutputSize].Fill(background);
        for (int y = 0; y < ph; y++)
        {
            int ty = y + oy;
            if ((uint)ty >= (uint)_height) continue;
            for (int x = 0; x < pw; x++)
            {
                int tx = x + ox;
                if ((uint)tx >= (uint)_width) continue;
                dest[ty * _width + tx] = (patch[y * pw + x] - _mean) * _invStd;
            }
        }
    }

    /// <summary>
    /// The border frame, about 1/16 of the smaller side thick (at least one pixel), on row <paramref name="y"/>: how many
    /// pixels it takes from the left end and from the right end (a whole row near the top or bottom: all from the left).
    /// </summary>
    private static (int Left, int Right) BorderOfRow(int y, int w, int h)
    {
        int t = Math.Max(1, Math.Min(w, h) / 16);
        if (y < t || y >= h - t) return (w, 0);
        int side = Math.Min(t, w);
        return (side, side);
    }

    internal static float BorderMean(ReadOnlySpan<float> g, int w, int h)
    {
        double sum = 0;
        long n = 0;
        for (int y = 0; y < h; y++)
        {
            var row = g.Slice(y * w, w);
            var (left, right) = BorderOfRow(y, w, h);
            foreach (float v in row[..left]) sum += v;
            foreach (float v in row[(w - right)..]) sum += v;
            n += left + right;
        }
        return n == 0 ? 0 : (float)(sum / n);
    }

    /// <summary><see cref="BorderMean(ReadOnlySpan{float}, int, int)"/> of 8-bit pixels (0..255).</summary>
    private static float BorderMean(ReadOnlySpan<byte> g, int w, int h)
    {
        long sum = 0, n = 0;
        for (int y = 0; y < h; y++)
        {
            var row = g.Slice(y * w, w);
            var (left, right) = BorderOfRow(y, w, h);
            foreach (byte v in row[..left]) sum += v;
            foreach (byte v in row[(w - right)..]) sum += v;
            n += left + right;
        }
        return n == 0 ? 0 : (float)sum / n;
    }

    private static float Sum(ReadOnlySpan<float> values)
    {
        float sum = 0;
        foreach (float v in values) sum += v;
        return sum;
    }

    private static void Grow(ref float[] buffer, int size)
    {
        if (buffer.Length < size) buffer = new float[Math.Max(size, buffer.Length * 2)];
    }
}
