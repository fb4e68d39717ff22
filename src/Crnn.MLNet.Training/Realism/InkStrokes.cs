namespace Crnn.MLNet.Training.Realism;

/// <summary>
/// Draws simple pen marks (thick segments, dots) into an ink canvas: values in [0, 1], light ink on dark, combined
/// with what is there by taking the stronger ink. Edges are soft over one pixel, as a scanned stroke's are.
/// </summary>
internal static class InkStrokes
{
    /// <summary>A straight stroke from (x0, y0) to (x1, y1), <paramref name="thickness"/> pixels wide.</summary>
    public static void Segment(float[] ink, int width, int height, double x0, double y0, double x1, double y1, double thickness, float strength = 1f)
    {
        double r = thickness / 2;
        int left = Math.Max(0, (int)Math.Floor(Math.Min(x0, x1) - r - 1)), right = Math.Min(width - 1, (int)Math.Ceiling(Math.Max(x0, x1) + r + 1));
        int top = Math.Max(0, (int)Math.Floor(Math.Min(y0, y1) - r - 1)), bottom = Math.Min(height - 1, (int)Math.Ceiling(Math.Max(y0, y1) + r + 1));
        double dx = x1 - x0, dy = y1 - y0, length2 = dx * dx + dy * dy;
        for (int y = top; y <= bottom; y++)
            for (int x = left; x <= right; x++)
            {
                double px = x + 0.5 - x0, py = y + 0.5 - y0;
                double t = length2 == 0 ? 0 : Math.Clamp((px * dx + py * dy) / length2, 0, 1);
                double ex = px - t * dx, ey = py - t * dy;
                double cover = Math.Clamp(r + 0.5 - Math.Sqrt(ex * ex + ey * ey), 0, 1);
                if (cover <= 0) continue;
                ref float v = ref ink[y * width + x];
                v = MathF.Max(v, (float)cover * strength);
            }
    }

    /// <summary>A round dot of radius <paramref name="radius"/> centred at (cx, cy).</summary>
    public static void Dot(float[] ink, int width, int height, double cx, double cy, double radius, float strength = 1f) =>
        Segment(ink, width, height, cx, cy, cx, cy, 2 * radius, strength);
}
