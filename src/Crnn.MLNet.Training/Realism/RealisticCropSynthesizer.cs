using Crnn.MLNet.Training.Data;

namespace Crnn.MLNet.Training.Realism;

/// <summary>What a synthesised crop carries besides the character.</summary>
public enum CropClutter
{
    /// <summary>The character alone, dark ink on plain paper, cropped to its box plus a small margin.</summary>
    Clean,
    /// <summary>
    /// As a real crop from a scanned form or cheque: neighbouring characters cut by the crop's edge, specks, an uneven
    /// paper level, a guilloche-like line pattern, noise.
    /// </summary>
    Real,
}

/// <summary>
/// Makes crops of single characters that look like those cut from real scans: a character of an MNIST-style dataset
/// scaled up, drawn dark on paper, with neighbours at the sides (from the same dataset) and background clutter, then cut
/// to its box plus a margin of a few pixels, as a form reader would cut it. Seeded: the same seed gives the same crops.
/// For measuring how preprocessing copes with real crops, and for training on them.
/// </summary>
public sealed class RealisticCropSynthesizer(CharacterDataset data, IReadOnlyList<int>? neighbours = null)
{
    // Training draws neighbours from its own split only, so no held-out image appears even as clutter.
    private readonly int[]? _neighbours = neighbours?.ToArray();

    private int Neighbour(Random rng) => _neighbours is { Length: > 0 } pool ? pool[rng.Next(pool.Length)] : rng.Next(data.Count);

    private const byte InkThreshold = 40;

    /// <summary>Crop of character <paramref name="index"/>; neighbours are drawn from the pool given, or from the whole dataset.</summary>
    public (byte[] Pixels, int Width, int Height) Make(int index, CropClutter clutter, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if ((uint)index >= (uint)data.Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"the dataset has {data.Count} images");
        double scale = 1.5 + rng.NextDouble() * 1.5;
        int cw = (int)Math.Ceiling(data.Width * scale), ch = (int)Math.Ceiling(data.Height * scale);
        // A canvas three characters wide and three high; the character in the middle cell.
        int W = 3 * cw, H = 3 * ch;
        var ink = new float[W * H];
        Draw(ink, W, H, index, cw, ch, scale);
        var (bx0, by0, bx1, by1) = Box(index, scale, cw, ch);
        if (clutter == CropClutter.Real)
        {
            // Neighbours to the left and right, a few pixels away, so that the crop's margin cuts into them.
            foreach (int side in new[] { -1, 1 })
            {
                if (rng.NextDouble() < 0.25) continue;
                int other = Neighbour(rng);
                var (ox0, _, ox1, _) = Box(other, scale, 0, 0);
                int gap = rng.Next(-3, 4); // negative: the neighbour reaches into the character's box, as slanted writing does
                int dx = side < 0 ? bx0 - gap - ox1 - 1 : bx1 + gap + 1 - ox0;
                Draw(ink, W, H, other, dx, ch + rng.Next(-ch / 8, ch / 8 + 1), scale);
            }
            // A line of writing above or below, sometimes.
            if (rng.NextDouble() < 0.3)
            {
                int other = Neighbour(rng);
                var (_, oy0, _, oy1) = Box(other, scale, 0, 0);
                bool above = rng.NextDouble() < 0.5;
                int dy = above ? by0 - rng.Next(0, 3) - oy1 - 1 : by1 + rng.Next(0, 3) + 1 - oy0;
                Draw(ink, W, H, other, cw + rng.Next(-cw / 3, cw / 3 + 1), dy, scale);
            }
            int specks = rng.Next(0, 5);
            for (int s = 0; s < specks; s++)
            {
                int sx = rng.Next(W), sy = rng.Next(H), r = rng.Next(1, 3);
                for (int y = Math.Max(0, sy - r); y < Math.Min(H, sy + r); y++)
                    for (int x = Math.Max(0, sx - r); x < Math.Min(W, sx + r); x++) ink[y * W + x] = Math.Max(ink[y * W + x], 0.8f);
            }
        }

        // Paper and ink levels, then the background clutter on the paper.
        float paper = 200 + (float)rng.NextDouble() * 45, inkLevel = 15 + (float)rng.NextDouble() * 80;
        double gx = 0, gy = 0, guilloche = 0, period = 8, phase = 0, angle = 0;
        float noise = 0;
        if (clutter == CropClutter.Real)
        {
            gx = (rng.NextDouble() - 0.5) * 40 / W;
            gy = (rng.NextDouble() - 0.5) * 40 / H;
            if (rng.NextDouble() < 0.6) guilloche = 15 + rng.NextDouble() * 50;
            period = 5 + rng.NextDouble() * 8;
            phase = rng.NextDouble() * Math.PI * 2;
            angle = rng.NextDouble() * Math.PI;
            noise = 2 + (float)rng.NextDouble() * 6;
        }
        // The crop: the character's box plus a margin of 1 to 4 pixels.
        int m = rng.Next(1, 5);
        int x0 = Math.Max(0, bx0 - m), y0 = Math.Max(0, by0 - m), x1 = Math.Min(W - 1, bx1 + m), y1 = Math.Min(H - 1, by1 + m);
        int w = x1 - x0 + 1, h = y1 - y0 + 1;
        var pixels = new byte[w * h];
        double ca = Math.Cos(angle), sa = Math.Sin(angle);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int X = x + x0, Y = y + y0;
                double bg = paper + gx * (X - W / 2.0) + gy * (Y - H / 2.0);
                if (guilloche > 0) bg -= PaperPattern.Guilloche(guilloche, X, Y, ca, sa, period, phase);
                double value = bg - (bg - inkLevel) * ink[Y * W + X];
                if (noise > 0) value += noise * PaperPattern.Gaussian(rng);
                pixels[y * w + x] = (byte)Math.Clamp(Math.Round(value), 0, 255);
            }
        return (pixels, w, h);
    }

    /// <summary>The character's ink box on the canvas when drawn at (<paramref name="dx"/>, <paramref name="dy"/>).</summary>
    private (int X0, int Y0, int X1, int Y1) Box(int index, double scale, int dx, int dy)
    {
        var img = data.Images.AsSpan(index * data.PixelsPerImage, data.PixelsPerImage);
        int x0 = data.Width, y0 = data.Height, x1 = -1, y1 = -1;
        for (int y = 0; y < data.Height; y++)
            for (int x = 0; x < data.Width; x++)
                if (img[y * data.Width + x] > InkThreshold)
                {
                    x0 = Math.Min(x0, x); x1 = Math.Max(x1, x); y0 = Math.Min(y0, y); y1 = Math.Max(y1, y);
                }
        if (x1 < 0) (x0, y0, x1, y1) = (0, 0, data.Width - 1, data.Height - 1);
        return (dx + (int)Math.Floor(x0 * scale), dy + (int)Math.Floor(y0 * scale), dx + (int)Math.Ceiling((x1 + 1) * scale) - 1, dy + (int)Math.Ceiling((y1 + 1) * scale) - 1);
    }

    /// <summary>Draws character <paramref name="index"/> scaled (bilinear) with its top-left at (dx, dy), as ink 0..1 (max with what is there).</summary>
    private void Draw(float[] ink, int W, int H, int index, int dx, int dy, double scale)
    {
        var img = data.Images.AsSpan(index * data.PixelsPerImage, data.PixelsPerImage);
        int sw = (int)Math.Ceiling(data.Width * scale), sh = (int)Math.Ceiling(data.Height * scale);
        for (int y = 0; y < sh; y++)
        {
            int Y = y + dy;
            if ((uint)Y >= (uint)H) continue;
            double fy = Math.Clamp((y + 0.5) / scale - 0.5, 0, data.Height - 1);
            int iy = Math.Min((int)fy, data.Height - 2);
            double ty = fy - iy;
            for (int x = 0; x < sw; x++)
            {
                int X = x + dx;
                if ((uint)X >= (uint)W) continue;
                double fx = Math.Clamp((x + 0.5) / scale - 0.5, 0, data.Width - 1);
                int ix = Math.Min((int)fx, data.Width - 2);
                double tx = fx - ix;
                double v = (img[iy * data.Width + ix] * (1 - tx) + img[iy * data.Width + ix + 1] * tx) * (1 - ty)
                         + (img[(iy + 1) * data.Width + ix] * (1 - tx) + img[(iy + 1) * data.Width + ix + 1] * tx) * ty;
                ink[Y * W + X] = Math.Max(ink[Y * W + X], (float)(v / 255));
            }
        }
    }
}
