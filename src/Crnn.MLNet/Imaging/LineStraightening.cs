namespace Crnn.MLNet.Imaging;

/// <summary>
/// Skew (a line written uphill or downhill, or a crop cut at an angle) and slant (letters leaning right or left),
/// estimated on the located ink and undone by shearing, before the line is scaled to the model's height: a model
/// trained on upright lines then sees upright lines. Both work on ink-bright values (0 paper .. 1 ink).
/// </summary>
internal static class LineStraightening
{
    /// <summary>Skew is estimated only when the ink is at least this many times wider than high (a few characters).</summary>
    internal const float MinSkewAspect = 2.5f;
    /// <summary>Slopes (rows per column) beyond this are not skew (about 14 degrees)...</summary>
    internal const float MaxSkew = 0.25f;
    /// <summary>...and below this are left alone (a pixel over 50 columns).</summary>
    internal const float MinSkew = 0.02f;
    /// <summary>Shears tried for the slant (columns per row, about -35 to 35 degrees), in steps of <see cref="SlantStep"/>.</summary>
    internal const float MaxSlant = 0.7f, SlantStep = 0.05f;
    /// <summary>Ink above this counts when estimating.</summary>
    internal const float InkLevel = 0.3f;

    /// <summary>
    /// The baseline's slope in rows per column: a least-squares line through the ink's centre of each column,
    /// weighted by the column's ink. 0 when the ink is too short or the slope is outside what skew can be.
    /// </summary>
    public static float EstimateSkew(ReadOnlySpan<float> g, int w, int h)
    {
        double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        int x0 = w, x1 = -1;
        for (int x = 0; x < w; x++)
        {
            double mass = 0, moment = 0;
            for (int y = 0; y < h; y++)
            {
                float v = g[y * w + x];
                if (v <= InkLevel) continue;
                mass += v;
                moment += v * y;
            }
            if (mass <= 0) continue;
            x0 = Math.Min(x0, x); x1 = x;
            double c = moment / mass;
            sw += mass; sx += mass * x; sy += mass * c; sxx += mass * x * x; sxy += mass * x * c;
        }
        double denominator = sw * sxx - sx * sx;
        if (x1 < 0 || denominator <= 0) return 0;
        double slope = (sw * sxy - sx * sy) / denominator;
        if (Math.Abs(slope) < MinSkew || Math.Abs(slope) > MaxSkew) return 0;
        // The ink's height once level: a line of a character or two is as high as it is long, and its "slope" is
        // the characters' own shape.
        double low = double.MaxValue, high = double.MinValue;
        for (int y = 0; y < h; y++)
            for (int x = x0; x <= x1; x++)
                if (g[y * w + x] > InkLevel)
                {
                    double level = y - slope * x;
                    low = Math.Min(low, level);
                    high = Math.Max(high, level);
                }
        return x1 - x0 + 1 < MinSkewAspect * (high - low + 1) ? 0 : (float)slope;
    }

    /// <summary>
    /// The horizontal shear (columns per row, measured from the middle row) that makes the strokes most upright: the one
    /// whose column histogram of ink is the most peaked (largest sum of squares), as vertical strokes stack up in few
    /// columns. 0 when no shear beats upright by a clear margin.
    /// </summary>
    public static float EstimateSlant(ReadOnlySpan<float> g, int w, int h)
    {
        int steps = (int)Math.Round(MaxSlant / SlantStep);
        int pad = (int)Math.Ceiling(MaxSlant * h) + 1;
        var columns = new int[w + 2 * pad];
        double best = -1, upright = 0;
        float bestShear = 0;
        float middle = (h - 1) / 2f;
        for (int k = -steps; k <= steps; k++)
        {
            float shear = k * SlantStep;
            Array.Clear(columns);
            for (int y = 0; y < h; y++)
            {
                int shift = (int)MathF.Round(shear * (y - middle));
                for (int x = 0; x < w; x++)
                    if (g[y * w + x] > InkLevel) columns[x + shift + pad]++;
            }
            double score = 0;
            foreach (int c in columns) score += (double)c * c;
            if (k == 0) upright = score;
            if (score > best) (best, bestShear) = (score, shear);
        }
        // A small gain is noise (round strokes, digits without verticals): keep the line as it is.
        return best > 1.05 * upright ? bestShear : 0;
    }

    /// <summary>Shifts each column up by slope·(x − centre), so a baseline of that slope becomes level.</summary>
    public static float[] Deskew(ReadOnlySpan<float> g, int w, int h, float slope, out int outHeight)
    {
        int pad = (int)Math.Ceiling(Math.Abs(slope) * w / 2) + 1;
        outHeight = h + 2 * pad;
        var result = new float[w * outHeight];
        // Columns are the lines shifted (x steps 1), their pixels lie w apart in both images.
        Shift(g, result, lines: w, length: h, outLength: outHeight, lineStep: 1, pixelStep: w, outPixelStep: w, -slope, pad);
        return result;
    }

    /// <summary>Moves each row by shear·(y − middle) columns (the shear <see cref="EstimateSlant"/> chose), so the strokes stand upright.</summary>
    public static float[] Deslant(ReadOnlySpan<float> g, int w, int h, float shear, out int outWidth)
    {
        int pad = (int)Math.Ceiling(Math.Abs(shear) * h / 2) + 1;
        outWidth = w + 2 * pad;
        var result = new float[outWidth * h];
        // Rows are the lines shifted; their pixels are adjacent, a row apart by w in the input and outWidth in the output.
        Shift(g, result, lines: h, length: w, outLength: outWidth, lineStep: w, pixelStep: 1, outPixelStep: 1, shear, pad, outLineStep: outWidth);
        return result;
    }

    // Line k of the input moves by amount·(k − centre) + pad pixels along itself, resampled linearly.
    private static void Shift(ReadOnlySpan<float> g, float[] result, int lines, int length, int outLength, int lineStep, int pixelStep,
        int outPixelStep, float amount, int pad, int? outLineStep = null)
    {
        int outStep = outLineStep ?? lineStep;
        float centre = (lines - 1) / 2f;
        for (int k = 0; k < lines; k++)
        {
            float offset = amount * (k - centre);
            for (int o = 0; o < outLength; o++)
            {
                float source = o - pad - offset;
                int p = (int)MathF.Floor(source);
                float f = source - p;
                float a = p >= 0 && p < length ? g[k * lineStep + p * pixelStep] : 0;
                float b = p + 1 >= 0 && p + 1 < length ? g[k * lineStep + (p + 1) * pixelStep] : 0;
                result[k * outStep + o * outPixelStep] = a + (b - a) * f;
            }
        }
    }
}
