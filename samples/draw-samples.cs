#:package SkiaSharp
#:package SkiaSharp.NativeAssets.Linux.NoDependencies
#:property TreatWarningsAsErrors=false
// Draws the sample digit images in samples/digits/<label>/, lines of digits in samples/lines/<text>-<style>.png and
// names in block capitals in samples/names/ (PNG files and labels.tsv, as crnn make-lines writes them)
// (run: dotnet run samples/draw-samples.cs).
// Each digit is a few pen strokes with random wobble, drawn in different styles (dark ink on paper,
// chalk on a board, off centre, small, thick, thin, coloured paper) so the samples exercise the
// handwriting normaliser. Seeded: the same images every run. No dataset image is used.
using SkiaSharp;

var strokes = new Dictionary<int, float[][]>
{
    [0] = [Ellipse(0.5f, 0.5f, 0.3f, 0.44f, 20)],
    [1] = [[0.35f, 0.22f, 0.56f, 0.05f, 0.52f, 0.95f]],
    [2] = [[0.2f, 0.25f, 0.35f, 0.08f, 0.65f, 0.08f, 0.8f, 0.27f, 0.7f, 0.47f, 0.2f, 0.93f, 0.86f, 0.93f]],
    [3] = [[0.2f, 0.14f, 0.5f, 0.05f, 0.78f, 0.18f, 0.72f, 0.38f, 0.45f, 0.48f, 0.78f, 0.6f, 0.8f, 0.82f, 0.5f, 0.95f, 0.18f, 0.85f]],
    [4] = [[0.66f, 0.95f, 0.66f, 0.05f, 0.15f, 0.66f, 0.88f, 0.66f]],
    [5] = [[0.8f, 0.06f, 0.3f, 0.06f, 0.24f, 0.45f, 0.5f, 0.38f, 0.78f, 0.52f, 0.8f, 0.78f, 0.55f, 0.95f, 0.2f, 0.88f]],
    [6] = [[0.72f, 0.06f, 0.45f, 0.2f, 0.26f, 0.5f, 0.22f, 0.76f, 0.4f, 0.95f, 0.68f, 0.92f, 0.8f, 0.72f, 0.65f, 0.52f, 0.4f, 0.52f, 0.24f, 0.68f]],
    [7] = [[0.15f, 0.08f, 0.85f, 0.08f, 0.4f, 0.95f]],
    [8] = [Ellipse(0.5f, 0.28f, 0.24f, 0.21f, 16), Ellipse(0.5f, 0.72f, 0.3f, 0.23f, 16)],
    [9] = [Ellipse(0.48f, 0.3f, 0.27f, 0.23f, 16), [0.75f, 0.3f, 0.68f, 0.95f]],
};

// (ink, paper, thickness as a fraction of the box, box within the canvas, canvas size)
var styles = new (SKColor Ink, SKColor Paper, float Thickness, SKRect Box, int W, int H)[]
{
    (SKColors.Black, SKColors.White, 0.09f, new SKRect(0.2f, 0.1f, 0.8f, 0.9f), 120, 160),
    (new SKColor(20, 30, 120), new SKColor(250, 245, 225), 0.06f, new SKRect(0.05f, 0.05f, 0.45f, 0.5f), 200, 200),
    (SKColors.White, new SKColor(30, 50, 40), 0.12f, new SKRect(0.3f, 0.2f, 0.7f, 0.85f), 96, 96),
};

string root = Path.Combine(AppContext.GetData("EntryPointFileDirectoryPath") as string ?? ".", "digits");
var random = new Random(2026);
foreach (var (digit, lines) in strokes)
{
    string dir = Path.Combine(root, digit.ToString());
    Directory.CreateDirectory(dir);
    for (int s = 0; s < styles.Length; s++)
    {
        var style = styles[s];
        using var bmp = new SKBitmap(style.W, style.H);
        using (var canvas = new SKCanvas(bmp))
        {
            canvas.Clear(style.Paper);
            var box = new SKRect(style.Box.Left * style.W, style.Box.Top * style.H, style.Box.Right * style.W, style.Box.Bottom * style.H);
            DrawCharacter(canvas, lines, box, style.Ink, style.Thickness * box.Height, random);
        }
        using var data = bmp.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(Path.Combine(dir, $"{(char)('a' + s)}.png"));
        data.SaveTo(file);
    }
}
Console.WriteLine($"Wrote {strokes.Count * styles.Length} images under {root}");

// Lines: each digit drawn in its own cell, cells of varying width and spacing, the whole line in one style.
string linesRoot = Path.Combine(AppContext.GetData("EntryPointFileDirectoryPath") as string ?? ".", "lines");
Directory.CreateDirectory(linesRoot);
string[] texts = ["2026", "0123456789", "31415", "8675309", "42", "1100"];
var lineStyles = new (SKColor Ink, SKColor Paper, float Thickness, int Height)[]
{
    (SKColors.Black, SKColors.White, 0.08f, 64),
    (new SKColor(20, 30, 120), new SKColor(250, 245, 225), 0.06f, 48),
    (SKColors.White, new SKColor(30, 50, 40), 0.1f, 40),
};
int written = 0;
foreach (string text in texts)
{
    for (int s = 0; s < lineStyles.Length; s++)
    {
        byte[] png = DrawLine(text, lineStyles[s], 0.62f, c => c == '1' ? 0.55f : 1f, 0.08f, 1f, c => strokes[c - '0'], random);
        File.WriteAllBytes(Path.Combine(linesRoot, $"{text}-{(char)('a' + s)}.png"), png);
        written++;
    }
}
Console.WriteLine($"Wrote {written} line images under {linesRoot}");

// Names in block capitals, as written on forms: letters from their own strokes, digits from the digits' strokes,
// hyphen, full stop, comma and apostrophe as small marks, a space as a wider gap. Drawn after everything above, so
// the digit samples stay as they were.
var letters = new Dictionary<char, float[][]>
{
    ['A'] = [[0.1f, 0.95f, 0.5f, 0.05f, 0.9f, 0.95f], [0.27f, 0.6f, 0.73f, 0.6f]],
    ['B'] = [[0.2f, 0.95f, 0.2f, 0.05f], [0.2f, 0.05f, 0.6f, 0.05f, 0.75f, 0.16f, 0.75f, 0.35f, 0.6f, 0.47f, 0.2f, 0.47f], [0.6f, 0.47f, 0.8f, 0.58f, 0.8f, 0.82f, 0.62f, 0.95f, 0.2f, 0.95f]],
    ['C'] = [[0.82f, 0.2f, 0.65f, 0.06f, 0.4f, 0.06f, 0.2f, 0.25f, 0.15f, 0.5f, 0.2f, 0.75f, 0.4f, 0.94f, 0.65f, 0.94f, 0.82f, 0.8f]],
    ['D'] = [[0.2f, 0.05f, 0.2f, 0.95f], [0.2f, 0.05f, 0.5f, 0.05f, 0.75f, 0.2f, 0.85f, 0.5f, 0.75f, 0.8f, 0.5f, 0.95f, 0.2f, 0.95f]],
    ['E'] = [[0.8f, 0.05f, 0.2f, 0.05f, 0.2f, 0.95f, 0.8f, 0.95f], [0.2f, 0.5f, 0.65f, 0.5f]],
    ['F'] = [[0.8f, 0.05f, 0.2f, 0.05f, 0.2f, 0.95f], [0.2f, 0.48f, 0.65f, 0.48f]],
    ['G'] = [[0.82f, 0.2f, 0.65f, 0.06f, 0.4f, 0.06f, 0.2f, 0.25f, 0.15f, 0.5f, 0.2f, 0.75f, 0.4f, 0.94f, 0.65f, 0.94f, 0.85f, 0.78f, 0.85f, 0.55f, 0.55f, 0.55f]],
    ['H'] = [[0.2f, 0.05f, 0.2f, 0.95f], [0.8f, 0.05f, 0.8f, 0.95f], [0.2f, 0.5f, 0.8f, 0.5f]],
    ['I'] = [[0.5f, 0.05f, 0.5f, 0.95f], [0.3f, 0.05f, 0.7f, 0.05f], [0.3f, 0.95f, 0.7f, 0.95f]],
    ['J'] = [[0.3f, 0.05f, 0.8f, 0.05f], [0.65f, 0.05f, 0.65f, 0.75f, 0.55f, 0.92f, 0.38f, 0.95f, 0.22f, 0.82f]],
    ['K'] = [[0.2f, 0.05f, 0.2f, 0.95f], [0.8f, 0.05f, 0.2f, 0.55f], [0.35f, 0.45f, 0.82f, 0.95f]],
    ['L'] = [[0.2f, 0.05f, 0.2f, 0.95f, 0.8f, 0.95f]],
    ['M'] = [[0.12f, 0.95f, 0.15f, 0.05f, 0.5f, 0.6f, 0.85f, 0.05f, 0.88f, 0.95f]],
    ['N'] = [[0.18f, 0.95f, 0.18f, 0.05f, 0.82f, 0.95f, 0.82f, 0.05f]],
    ['O'] = [Ellipse(0.5f, 0.5f, 0.36f, 0.45f, 20)],
    ['P'] = [[0.2f, 0.95f, 0.2f, 0.05f, 0.6f, 0.05f, 0.78f, 0.15f, 0.78f, 0.38f, 0.6f, 0.5f, 0.2f, 0.5f]],
    ['Q'] = [Ellipse(0.5f, 0.48f, 0.36f, 0.43f, 20), [0.55f, 0.7f, 0.88f, 0.98f]],
    ['R'] = [[0.2f, 0.95f, 0.2f, 0.05f, 0.6f, 0.05f, 0.78f, 0.15f, 0.78f, 0.38f, 0.6f, 0.5f, 0.2f, 0.5f], [0.45f, 0.5f, 0.82f, 0.95f]],
    ['S'] = [[0.8f, 0.15f, 0.6f, 0.05f, 0.35f, 0.05f, 0.2f, 0.2f, 0.25f, 0.4f, 0.5f, 0.5f, 0.75f, 0.6f, 0.8f, 0.8f, 0.65f, 0.95f, 0.35f, 0.95f, 0.18f, 0.85f]],
    ['T'] = [[0.1f, 0.05f, 0.9f, 0.05f], [0.5f, 0.05f, 0.5f, 0.95f]],
    ['U'] = [[0.18f, 0.05f, 0.18f, 0.7f, 0.3f, 0.9f, 0.5f, 0.96f, 0.7f, 0.9f, 0.82f, 0.7f, 0.82f, 0.05f]],
    ['V'] = [[0.12f, 0.05f, 0.5f, 0.95f, 0.88f, 0.05f]],
    ['W'] = [[0.05f, 0.05f, 0.25f, 0.95f, 0.5f, 0.35f, 0.75f, 0.95f, 0.95f, 0.05f]],
    ['X'] = [[0.15f, 0.05f, 0.85f, 0.95f], [0.85f, 0.05f, 0.15f, 0.95f]],
    ['Y'] = [[0.12f, 0.05f, 0.5f, 0.5f, 0.88f, 0.05f], [0.5f, 0.5f, 0.5f, 0.95f]],
    ['Z'] = [[0.15f, 0.05f, 0.85f, 0.05f, 0.15f, 0.95f, 0.85f, 0.95f]],
    ['-'] = [[0.2f, 0.55f, 0.8f, 0.55f]],
    ['.'] = [[0.5f, 0.92f, 0.52f, 0.95f]],
    [','] = [[0.55f, 0.88f, 0.5f, 1.05f]],
    ['\''] = [[0.55f, 0.02f, 0.5f, 0.2f]],
};
foreach (var (digit, lines) in strokes) letters[(char)('0' + digit)] = lines;
string namesRoot = Path.Combine(AppContext.GetData("EntryPointFileDirectoryPath") as string ?? ".", "names");
Directory.CreateDirectory(namesRoot);
string[] names = ["JOHN SMITH", "DUPONT", "O'NEILL", "MARIE-CLAIRE", "WEBER, K.", "XAVIER", "ZOE QUINN", "B7-2046"];
var labels = new List<string>();
float NameWidth(char c) => c switch { ' ' => 0.35f, '.' or ',' or '\'' => 0.25f, '-' => 0.5f, 'I' or '1' => 0.55f, 'M' or 'W' => 1.2f, _ => 1f };
foreach (string text in names)
{
    foreach (var style in lineStyles)
    {
        string file = $"{labels.Count:D2}.png";
        File.WriteAllBytes(Path.Combine(namesRoot, file), DrawLine(text, style, 0.6f, NameWidth, 0.1f, 1.4f, c => c == ' ' ? null : letters[c], random));
        labels.Add($"{file}\t{text}");
    }
}
File.WriteAllText(Path.Combine(namesRoot, "labels.tsv"), string.Join("\n", labels) + "\n");
Console.WriteLine($"Wrote {labels.Count} name images and labels.tsv under {namesRoot}");

// A line as a PNG: each character in a cell of its own width (a share of the line's height, varied a little), cells
// apart by a varied gap (up to gapAllowance gaps are reserved per character), a little up or down; a null glyph (a
// space) leaves its cell empty.
static byte[] DrawLine(string text, (SKColor Ink, SKColor Paper, float Thickness, int Height) style, float cellShare, Func<char, float> widthOf,
    float gapShare, float gapAllowance, Func<char, float[][]?> glyph, Random random)
{
    float cell = style.Height * cellShare;
    var widths = text.Select(c => cell * widthOf(c) * (float)(0.9 + random.NextDouble() * 0.2)).ToArray();
    float gap = style.Height * gapShare;
    int width = (int)(widths.Sum() + gap * gapAllowance * (text.Length - 1) + style.Height * 0.6f);
    using var bmp = new SKBitmap(width, style.Height);
    using (var canvas = new SKCanvas(bmp))
    {
        canvas.Clear(style.Paper);
        float x = style.Height * 0.3f;
        for (int k = 0; k < text.Length; k++)
        {
            float top = style.Height * (0.15f + (float)(random.NextDouble() - 0.5) * 0.06f);
            var box = new SKRect(x, top, x + widths[k], top + style.Height * 0.7f);
            if (glyph(text[k]) is { } lines) DrawCharacter(canvas, lines, box, style.Ink, style.Thickness * box.Height, random);
            x += widths[k] + gap * (float)(0.6 + random.NextDouble() * 0.8);
        }
    }
    using var data = bmp.Encode(SKEncodedImageFormat.Png, 100);
    return data.ToArray();
}

// One character's strokes in a box: a little wobble per point and a forward slant, like a quick hand; each polyline
// smoothed into quadratic curves through the midpoints, corners as control points.
static void DrawCharacter(SKCanvas canvas, float[][] lines, SKRect box, SKColor ink, float thickness, Random random)
{
    using var pen = new SKPaint
    {
        Color = ink, IsAntialias = true, Style = SKPaintStyle.Stroke,
        StrokeWidth = thickness, StrokeCap = SKStrokeCap.Round, StrokeJoin = SKStrokeJoin.Round,
    };
    float slant = (float)(random.NextDouble() * 0.2 - 0.05);
    foreach (var line in lines)
    {
        var points = new List<SKPoint>();
        for (int i = 0; i < line.Length; i += 2)
        {
            float x = line[i] + (float)(random.NextDouble() - 0.5) * 0.05f + slant * (0.5f - line[i + 1]);
            float y = line[i + 1] + (float)(random.NextDouble() - 0.5) * 0.05f;
            points.Add(new SKPoint(box.Left + x * box.Width, box.Top + y * box.Height));
        }
        using var path = new SKPath();
        path.MoveTo(points[0]);
        for (int i = 1; i < points.Count - 1; i++)
            path.QuadTo(points[i], new SKPoint((points[i].X + points[i + 1].X) / 2, (points[i].Y + points[i + 1].Y) / 2));
        path.LineTo(points[^1]);
        canvas.DrawPath(path, pen);
    }
}

static float[] Ellipse(float cx, float cy, float rx, float ry, int points) =>
    Enumerable.Range(0, points + 1).SelectMany(i =>
    {
        double a = -Math.PI / 2 + 2 * Math.PI * i / points;
        return new[] { cx + rx * (float)Math.Cos(a), cy + ry * (float)Math.Sin(a) };
    }).ToArray();
