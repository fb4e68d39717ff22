namespace Crnn.MLNet.Training.Realism;

/// <summary>
/// Turns a composed line of ink (light on dark, [0, 1]) into what a scanner or a form reader delivers: dark ink on
/// paper at a random resolution, with the stroke made thicker or thinner, softened, cut with uneven margins (sometimes
/// so tight the ink touches the edge), and with the clutter real crops carry: ruling lines of the form or register,
/// pieces of neighbouring writing cut by the crop's edge, specks, a black scanner margin, an uneven paper level, a
/// guilloche-like pattern, paper grain, faint or strong ink. The result is an 8-bit grayscale picture for the same
/// <see cref="Crnn.MLNet.Imaging.CrnnLineNormalizer"/> that reads users' images. Seeded through the caller's
/// <see cref="Random"/>; keeps no state, so it is thread-safe.
/// </summary>
internal static class ScannedLineRenderer
{
    public static (byte[] Pixels, int Width, int Height) Render(float[] ink, int width, int height, Random rng)
    {
        // Resolution: the writing at 1 to 2.2 times the glyphs' own size.
        double scale = 1 + rng.NextDouble() * 1.2;
        int sw = Math.Max(1, (int)Math.Round(width * scale)), sh = Math.Max(1, (int)Math.Round(height * scale));
        var text = Resize(ink, width, height, sw, sh);
        double stroke = rng.NextDouble();
        if (stroke < 0.25) text = Dilate(text, sw, sh);
        else if (stroke < 0.4) Thin(text, 0.25f + (float)rng.NextDouble() * 0.2f);

        // The crop around the text: the glyph canvas has a few empty rows and columns already; margins add to them
        // or, negative, cut into them (a tight crop whose edge touches the ink).
        bool tight = rng.NextDouble() < 0.2;
        int Margin(int most) => tight ? rng.Next(-2, 2) : rng.Next(0, most + 1);
        int left = Margin((int)(12 * scale)), right = Margin((int)(12 * scale)), top = Margin((int)(10 * scale)), bottom = Margin((int)(10 * scale));
        int W = Math.Max(8, sw + left + right), H = Math.Max(8, sh + top + bottom);
        var page = new float[W * H];
        for (int y = 0; y < sh; y++)
        {
            int Y = y + top;
            if ((uint)Y >= (uint)H) continue;
            for (int x = 0; x < sw; x++)
            {
                int X = x + left;
                if ((uint)X < (uint)W) page[Y * W + X] = text[y * sw + x];
            }
        }
        int textTop = top + (int)(4 * scale), textBottom = top + sh - (int)(4 * scale);

        // The form's own lines: a rule under or over the writing, a column rule at a side.
        if (rng.NextDouble() < 0.35)
        {
            double thickness = 1 + rng.NextDouble() * 2 * scale;
            float strength = 0.35f + (float)rng.NextDouble() * 0.65f;
            int y = rng.NextDouble() < 0.6
                ? Math.Min(H - 1, textBottom + rng.Next(-2, Math.Max(-1, H - textBottom)))
                : Math.Max(0, rng.Next(0, Math.Max(1, textTop)));
            double tilt = (rng.NextDouble() - 0.5) * 0.04 * W;
            InkStrokes.Segment(page, W, H, -2, y - tilt / 2, W + 2, y + tilt / 2, thickness, strength);
        }
        if (rng.NextDouble() < 0.25)
        {
            double thickness = 1 + rng.NextDouble() * 2 * scale;
            float strength = 0.35f + (float)rng.NextDouble() * 0.65f;
            int x = rng.NextDouble() < 0.5 ? rng.Next(0, Math.Max(1, left + 1)) : W - 1 - rng.Next(0, Math.Max(1, right + 1));
            InkStrokes.Segment(page, W, H, x, -2, x + (rng.NextDouble() - 0.5) * 3, H + 2, thickness, strength);
        }
        // Pieces of neighbouring writing cut by the crop: strokes entering from an edge.
        int pieces = rng.NextDouble() < 0.4 ? rng.Next(1, 3) : 0;
        for (int p = 0; p < pieces; p++)
        {
            double thickness = (1.5 + rng.NextDouble() * 1.5) * scale;
            int side = rng.Next(4);
            double reach = (3 + rng.NextDouble() * 6) * scale;
            var (x0, y0, x1, y1) = side switch
            {
                0 => (-2.0, rng.NextDouble() * H, reach, rng.NextDouble() * H),
                1 => (W + 2.0, rng.NextDouble() * H, W - reach, rng.NextDouble() * H),
                2 => (rng.NextDouble() * W, -2.0, rng.NextDouble() * W, Math.Min(reach, textTop + 2.0)),
                _ => (rng.NextDouble() * W, H + 2.0, rng.NextDouble() * W, Math.Max(H - reach, textBottom - 2.0)),
            };
            InkStrokes.Segment(page, W, H, x0, y0, x1, y1, thickness);
        }
        // Specks and a stray mark away from the writing.
        int specks = rng.Next(0, 5);
        for (int s = 0; s < specks; s++)
            InkStrokes.Dot(page, W, H, rng.NextDouble() * W, rng.NextDouble() * H, 0.5 + rng.NextDouble() * scale, 0.5f + (float)rng.NextDouble() * 0.5f);
        if (rng.NextDouble() < 0.15)
        {
            double x = rng.NextDouble() * W, y = rng.NextDouble() < 0.5 ? rng.NextDouble() * textTop : textBottom + rng.NextDouble() * (H - textBottom);
            InkStrokes.Segment(page, W, H, x, y, x + (rng.NextDouble() - 0.5) * 12 * scale, y + (rng.NextDouble() - 0.5) * 4, 1 + rng.NextDouble() * scale);
        }
        if (rng.NextDouble() < 0.3) page = BoxBlur(page, W, H);

        // Paper and ink, then what the scanner adds.
        double paper = 175 + rng.NextDouble() * 75, inkLevel = 10 + rng.NextDouble() * Math.Min(110, paper - 60);
        double gx = (rng.NextDouble() - 0.5) * 50 / W, gy = (rng.NextDouble() - 0.5) * 30 / H;
        double guilloche = rng.NextDouble() < 0.15 ? 10 + rng.NextDouble() * 40 : 0;
        double period = 5 + rng.NextDouble() * 8, phase = rng.NextDouble() * Math.PI * 2, angle = rng.NextDouble() * Math.PI;
        double ca = Math.Cos(angle), sa = Math.Sin(angle);
        double grain = 1 + rng.NextDouble() * 8;
        int border = rng.NextDouble() < 0.08 ? rng.Next(4) : -1;
        int borderSize = border is 0 or 1 ? (int)(W * (0.03 + rng.NextDouble() * 0.12)) : (int)(H * (0.05 + rng.NextDouble() * 0.15));
        var pixels = new byte[W * H];
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                double bg = paper + gx * (x - W / 2.0) + gy * (y - H / 2.0);
                if (guilloche > 0) bg -= PaperPattern.Guilloche(guilloche, x, y, ca, sa, period, phase);
                double value = bg - (bg - inkLevel) * page[y * W + x] + grain * PaperPattern.Gaussian(rng);
                bool inBorder = border switch
                {
                    0 => x < borderSize,
                    1 => x >= W - borderSize,
                    2 => y < borderSize,
                    3 => y >= H - borderSize,
                    _ => false,
                };
                if (inBorder) value = 5 + 25 * rng.NextDouble();
                pixels[y * W + x] = (byte)Math.Clamp(Math.Round(value), 0, 255);
            }
        return (pixels, W, H);
    }

    // Bilinear resize of an ink canvas.
    private static float[] Resize(float[] src, int width, int height, int newWidth, int newHeight)
    {
        var dst = new float[newWidth * newHeight];
        double fx = (double)width / newWidth, fy = (double)height / newHeight;
        for (int y = 0; y < newHeight; y++)
        {
            double sy = Math.Clamp((y + 0.5) * fy - 0.5, 0, height - 1);
            int y0 = (int)sy, y1 = Math.Min(y0 + 1, height - 1);
            float ty = (float)(sy - y0);
            for (int x = 0; x < newWidth; x++)
            {
                double sx = Math.Clamp((x + 0.5) * fx - 0.5, 0, width - 1);
                int x0 = (int)sx, x1 = Math.Min(x0 + 1, width - 1);
                float tx = (float)(sx - x0);
                float a = src[y0 * width + x0] * (1 - tx) + src[y0 * width + x1] * tx;
                float b = src[y1 * width + x0] * (1 - tx) + src[y1 * width + x1] * tx;
                dst[y * newWidth + x] = a * (1 - ty) + b * ty;
            }
        }
        return dst;
    }

    // A thicker pen (the strongest ink in each 3x3 neighbourhood) or a softer one (its mean).
    private static float[] Dilate(float[] src, int width, int height) => Neighbourhood(src, width, height, strongest: true);

    private static float[] BoxBlur(float[] src, int width, int height) => Neighbourhood(src, width, height, strongest: false);

    private static float[] Neighbourhood(float[] src, int width, int height, bool strongest)
    {
        var dst = new float[src.Length];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                float max = 0, sum = 0;
                int n = 0;
                for (int yy = Math.Max(0, y - 1); yy <= Math.Min(height - 1, y + 1); yy++)
                    for (int xx = Math.Max(0, x - 1); xx <= Math.Min(width - 1, x + 1); xx++)
                    {
                        float v = src[yy * width + xx];
                        max = MathF.Max(max, v);
                        sum += v;
                        n++;
                    }
                dst[y * width + x] = strongest ? max : sum / n;
            }
        return dst;
    }

    // A finer pen: the soft edge of each stroke is taken away.
    private static void Thin(float[] ink, float cut)
    {
        for (int i = 0; i < ink.Length; i++) ink[i] = Math.Max(0, ink[i] - cut) / (1 - cut);
    }
}
