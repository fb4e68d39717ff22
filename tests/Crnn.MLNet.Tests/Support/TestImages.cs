using SkiaSharp;

namespace Crnn.MLNet.Tests.Support;

/// <summary>Pictures of characters drawn with SkiaSharp for the tests.</summary>
internal static class TestImages
{
    /// <summary>A digit drawn as text, dark on light by default, anywhere in a canvas of any size.</summary>
    public static SKBitmap Text(string text, int width = 120, int height = 160, float size = 120, float cx = 0.5f, float cy = 0.5f,
        bool darkOnLight = true, float strokeWidth = 0, SKColor? paper = null, SKColor? ink = null)
    {
        var bmp = new SKBitmap(new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bmp);
        canvas.Clear(paper ?? (darkOnLight ? SKColors.White : SKColors.Black));
        using var paint = new SKPaint
        {
            Color = ink ?? (darkOnLight ? SKColors.Black : SKColors.White),
            IsAntialias = true,
            TextSize = size,
            TextAlign = SKTextAlign.Center,
            Style = strokeWidth > 0 ? SKPaintStyle.StrokeAndFill : SKPaintStyle.Fill,
            StrokeWidth = strokeWidth,
        };
        var bounds = new SKRect();
        paint.MeasureText(text, ref bounds);
        canvas.DrawText(text, width * cx, height * cy - bounds.MidY, paint);
        return bmp;
    }

    /// <summary>Strokes (polylines) scaled into a box, dark on light.</summary>
    public static SKBitmap Strokes(IReadOnlyList<SKPoint[]> strokes, int width, int height, float thickness, SKRect box)
    {
        var bmp = new SKBitmap(new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bmp);
        canvas.Clear(SKColors.White);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = thickness, StrokeCap = SKStrokeCap.Round, StrokeJoin = SKStrokeJoin.Round };
        foreach (var stroke in strokes)
        {
            using var path = new SKPath();
            for (int i = 0; i < stroke.Length; i++)
            {
                var p = new SKPoint(box.Left + stroke[i].X * box.Width, box.Top + stroke[i].Y * box.Height);
                if (i == 0) path.MoveTo(p); else path.LineTo(p);
            }
            canvas.DrawPath(path, paint);
        }
        return bmp;
    }

    public static void Save(SKBitmap bmp, string path, SKEncodedImageFormat format = SKEncodedImageFormat.Png, int quality = 95)
    {
        using var data = bmp.Encode(format, quality);
        using var f = File.Create(path);
        data.SaveTo(f);
    }

    public static byte[] Encode(SKBitmap bmp, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        using var data = bmp.Encode(format, 95);
        return data.ToArray();
    }

    /// <summary>Gray bytes of a bitmap (for comparing normalisers).</summary>
    public static byte[] Gray(SKBitmap bmp)
    {
        var g = new byte[bmp.Width * bmp.Height];
        for (int y = 0; y < bmp.Height; y++)
            for (int x = 0; x < bmp.Width; x++)
            {
                var c = bmp.GetPixel(x, y);
                g[y * bmp.Width + x] = (byte)Math.Round(0.299 * c.Red + 0.587 * c.Green + 0.114 * c.Blue);
            }
        return g;
    }
}
