using Crnn.MLNet.Imaging;
using Crnn.MLNet.Tests.Support;

namespace Crnn.MLNet.Tests.Lines;

/// <summary>Deskew and deslant of line crops: the estimates on lines with a known slope or lean, and no change to upright, level lines.</summary>
public class LineStraighteningTests
{
    private const int W = 160, H = 48;

    /// <summary>Six vertical strokes 3 px wide, rows 8..39, each row moved right by <paramref name="lean"/>·(y − middle), the whole line by <paramref name="slope"/>·x down.</summary>
    private static float[] Strokes(float lean, float slope)
    {
        var g = new float[W * H];
        float middle = (H - 1) / 2f;
        for (int s = 0; s < 6; s++)
            for (int y = 8; y < 40; y++)
                for (int dx = 0; dx < 3; dx++)
                {
                    int x = 20 + 22 * s + dx + (int)MathF.Round(lean * (y - middle));
                    int yy = y + (int)MathF.Round(slope * (x - W / 2f));
                    if (x >= 0 && x < W && yy >= 0 && yy < H) g[yy * W + x] = 1;
                }
        return g;
    }

    private static int TallestColumn(float[] g, int w, int h)
    {
        int best = 0;
        for (int x = 0; x < w; x++)
        {
            int n = 0;
            for (int y = 0; y < h; y++) if (g[y * w + x] > 0.5f) n++;
            best = Math.Max(best, n);
        }
        return best;
    }

    [Theory]
    [InlineData(0.3f)]
    [InlineData(-0.25f)]
    public void A_leaning_line_is_stood_upright(float lean)
    {
        var g = Strokes(lean, 0);
        float shear = LineStraightening.EstimateSlant(g, W, H);
        Assert.InRange(shear, -lean - 0.051f, -lean + 0.051f);
        Assert.True(TallestColumn(g, W, H) < 16, "the strokes lean: no column holds a whole stroke");
        var upright = LineStraightening.Deslant(g, W, H, shear, out int w);
        Assert.True(TallestColumn(upright, w, H) >= 30, "after deslanting a column holds (nearly) a whole stroke");
    }

    [Theory]
    [InlineData(0.1f)]
    [InlineData(-0.15f)]
    public void A_sloping_line_is_levelled(float slope)
    {
        var g = Strokes(0, slope);
        float estimate = LineStraightening.EstimateSkew(g, W, H);
        Assert.InRange(estimate, slope - 0.02f, slope + 0.02f);
        var level = LineStraightening.Deskew(g, W, H, estimate, out int h);
        // Every stroke's top row is the same (within a pixel) once the line is level.
        var tops = Enumerable.Range(0, 6).Select(s =>
        {
            int x = 21 + 22 * s;
            for (int y = 0; y < h; y++) if (level[y * W + x] > 0.5f) return y;
            return -1;
        }).ToArray();
        Assert.True(tops.Max() - tops.Min() <= 1, $"tops {string.Join(",", tops)}");
    }

    [Fact]
    public void Upright_level_and_short_lines_are_left_alone()
    {
        Assert.Equal(0f, LineStraightening.EstimateSlant(Strokes(0, 0), W, H));
        Assert.Equal(0f, LineStraightening.EstimateSkew(Strokes(0, 0), W, H));
        // Two characters' worth of ink: too short to tell a slope from the characters' own shapes.
        var shortLine = new float[W * H];
        for (int y = 10; y < 40; y++) for (int x = 60; x < 90; x++) shortLine[y * W + x] = x - 60 > (y - 10) ? 1 : 0;
        Assert.Equal(0f, LineStraightening.EstimateSkew(shortLine, W, H));
    }

    [Fact]
    public void The_normaliser_with_straightening_keeps_a_clean_line_as_it_was()
    {
        var meta = TestLineModels.Metadata();
        foreach (string glyphs in new[] { "1", "121", "12121212" })
        {
            using var bmp = TestLineModels.DrawLine(glyphs);
            var gray = TestImages.Gray(bmp);
            var plain = new CrnnLineNormalizer(meta, InkPolarity.Auto, LineCleanup.Default).Normalize(gray, bmp.Width, bmp.Height);
            var straightened = new CrnnLineNormalizer(meta, InkPolarity.Auto, LineCleanup.Default | LineCleanup.Deskew | LineCleanup.Deslant)
                .Normalize(gray, bmp.Width, bmp.Height);
            Assert.Equal(plain.Width, straightened.Width);
            Assert.Equal(plain.Pixels, straightened.Pixels);
        }
    }
}
