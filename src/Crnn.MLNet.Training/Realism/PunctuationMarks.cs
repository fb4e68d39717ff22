namespace Crnn.MLNet.Training.Realism;

/// <summary>
/// Pen-drawn punctuation for synthesised lines. Between the digits of amounts and dates the dot, comma and dash are
/// drawn but not labelled, so a digits-only line model learns to write nothing for them rather than invent a digit
/// (the slash is left out on purpose: without a label of its own, teaching the model to ignore a slanted stroke would
/// teach it to drop slanted ones). In block-capital names they, and the apostrophe, are labelled characters.
/// </summary>
internal static class PunctuationMarks
{
    /// <summary>The marks drawn unlabelled between digits: dot, comma, dash.</summary>
    public const string Kinds = ".,-";

    /// <summary>Every mark <see cref="Draw"/> can write: the unlabelled ones and the apostrophe (labelled in names).</summary>
    public const string Drawable = ".,-'";

    /// <summary>
    /// A mark in a box of its own, placed relative to a line whose glyphs are centred in <paramref name="canvasHeight"/>
    /// rows (MNIST-style glyphs: the ink's 20 rows centred in 28): returns its ink, size and top row on the canvas.
    /// </summary>
    public static (float[] Pixels, int Width, int Height, int Top) Draw(char kind, int canvasHeight, Random rng)
    {
        int middle = canvasHeight / 2, baseline = middle + 9 + rng.Next(-1, 2);
        switch (kind)
        {
            case '.':
            {
                double r = 1.2 + rng.NextDouble() * 1.3;
                int size = (int)Math.Ceiling(2 * r) + 2;
                var ink = new float[size * size];
                InkStrokes.Dot(ink, size, size, size / 2.0, size / 2.0, r);
                return (ink, size, size, baseline - size + 1);
            }
            case ',':
            {
                double r = 1.2 + rng.NextDouble() * 1.0, tail = 3 + rng.NextDouble() * 4;
                int w = (int)Math.Ceiling(2 * r + tail / 2) + 3, h = (int)Math.Ceiling(2 * r + tail) + 2;
                var ink = new float[w * h];
                double cx = w - r - 1.5, cy = r + 1;
                InkStrokes.Dot(ink, w, h, cx, cy, r);
                InkStrokes.Segment(ink, w, h, cx + r * 0.3, cy, cx - tail / 2, cy + tail, 1.5 + rng.NextDouble());
                return (ink, w, h, baseline - (int)Math.Round(2 * r));
            }
            case '-':
            {
                double length = 5 + rng.NextDouble() * 7, thickness = 1.6 + rng.NextDouble() * 1.4, tilt = (rng.NextDouble() - 0.5) * 2;
                int w = (int)Math.Ceiling(length) + 3, h = (int)Math.Ceiling(thickness + Math.Abs(tilt)) + 3;
                var ink = new float[w * h];
                InkStrokes.Segment(ink, w, h, 1.5, h / 2.0 + tilt / 2, w - 1.5, h / 2.0 - tilt / 2, thickness);
                return (ink, w, h, middle + rng.Next(-1, 4) - h / 2);
            }
            case '\'':
            {
                // A short, nearly upright stroke at the height of the capitals' tops, leaning a little.
                double length = 3 + rng.NextDouble() * 4, thickness = 1.5 + rng.NextDouble() * 1.2, lean = rng.NextDouble() * 2;
                int w = (int)Math.Ceiling(lean + thickness) + 3, h = (int)Math.Ceiling(length + thickness) + 2;
                var ink = new float[w * h];
                InkStrokes.Segment(ink, w, h, 1.5 + lean, 1 + thickness / 2, 1.5, h - 1 - thickness / 2, thickness);
                return (ink, w, h, middle - 10 + rng.Next(-1, 2));
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, $"punctuation marks are '{Drawable}'");
        }
    }
}
