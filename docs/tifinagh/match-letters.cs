#:project ../../src/Crnn.MLNet.Training
// Which Tifinagh letter is each class of the Tifinagh-MNIST set? The source numbers its 33 classes without saying.
// Renders the 33 letters of the standard (IRCAM) Tifinagh alphabet from Tifinagh fonts, frames them as the recogniser
// frames a character (HandwritingNormalizer: crop, fit into 20x20, centre of mass in 28x28), blurs them to a
// pen's width, lets every framed sample vote for the letter it correlates with best, and assigns letters to classes one to one, maximising the votes
// (the Hungarian method). Writes models/tifinagh-mapping.txt and a picture to check by eye.
//
//   dotnet run docs/tifinagh/match-letters.cs -- [DATASET_DIR] [FONT.ttf ...]
// DATASET_DIR defaults to $CRNN_DATA_DIR/tifinagh; the fonts to Debian's Noto Sans Tifinagh and Tagmukay (packages
// fonts-noto-core, fonts-sil-tagmukay).
using Crnn.MLNet.Imaging;
using Crnn.MLNet.Training.Data;
using SkiaSharp;

string repo = FindRepo();
string dataset = args.Length > 0 ? args[0] : Path.Combine(Environment.GetEnvironmentVariable("CRNN_DATA_DIR") ?? ".", "tifinagh");
string[] fonts = args.Length > 1 ? args[1..] :
    new[] { "/usr/share/fonts/truetype/noto/NotoSansTifinagh-Regular.ttf", "/usr/share/fonts/truetype/tagmukay/Tagmukay-Bold.ttf" }
        .Where(File.Exists).ToArray();
if (fonts.Length == 0) throw new FileNotFoundException("no Tifinagh font: install fonts-noto-core or fonts-sil-tagmukay, or name a .ttf");

// The IRCAM standard alphabet: 31 letters and the two labialised ones written with U+2D6F (ⵯ).
var letters = new (string Text, string Name)[]
{
    ("ⴰ", "ya"), ("ⴱ", "yab"), ("ⴳ", "yag"), ("ⴳⵯ", "yagw"), ("ⴷ", "yad"), ("ⴹ", "yadd"), ("ⴻ", "yey"), ("ⴼ", "yaf"),
    ("ⴽ", "yak"), ("ⴽⵯ", "yakw"), ("ⵀ", "yah"), ("ⵃ", "yahh"), ("ⵄ", "yaa"), ("ⵅ", "yakh"), ("ⵇ", "yaq"), ("ⵉ", "yi"),
    ("ⵊ", "yaj"), ("ⵍ", "yal"), ("ⵎ", "yam"), ("ⵏ", "yan"), ("ⵓ", "yu"), ("ⵔ", "yar"), ("ⵕ", "yarr"), ("ⵖ", "yagh"),
    ("ⵙ", "yas"), ("ⵚ", "yass"), ("ⵛ", "yach"), ("ⵜ", "yat"), ("ⵟ", "yatt"), ("ⵡ", "yaw"), ("ⵢ", "yay"), ("ⵣ", "yaz"), ("ⵥ", "yazz"),
};

var data = DatasetLoader.Load(new DatasetRequest(dataset, AllowDownload: false), DatasetSplit.Train);
int classes = data.ClassCount, size = data.PixelsPerImage;
if (classes != letters.Length) throw new InvalidDataException($"{dataset}: {classes} classes, the alphabet has {letters.Length}");
var normalizer = ImageFolderDataset.CreateFramer(InkPolarity.LightOnDark);   // the framing the dataset loader gives images

// Class means of the samples framed as the letters will be (the source keeps small letters small: a circle stays a
// dot-sized "o" unless it is framed), and the raw means for the picture.
var means = new double[classes][];
var rawMeans = new double[classes][];
var counts = new int[classes];
for (int c = 0; c < classes; c++) { means[c] = new double[size]; rawMeans[c] = new double[size]; }
var framedSample = new float[size];
for (int i = 0; i < data.Count; i++)
{
    var image = data.Image(i);
    int c = data.Labels[i];
    counts[c]++;
    normalizer.Normalize(image, data.Width, data.Height, framedSample);
    for (int p = 0; p < size; p++) { means[c][p] += framedSample[p]; rawMeans[c][p] += image[p]; }
}
for (int c = 0; c < classes; c++) for (int p = 0; p < size; p++) { means[c][p] /= counts[c]; rawMeans[c][p] /= counts[c]; }
for (int c = 0; c < classes; c++) means[c] = Blur(means[c], data.Width, data.Height);
double[] Render(string text, string font)
{
    const int canvas = 160;
    using var bitmap = new SKBitmap(new SKImageInfo(canvas, canvas, SKColorType.Gray8));
    using (var g = new SKCanvas(bitmap))
    {
        g.Clear(SKColors.Black);
        using var typeface = SKTypeface.FromFile(font);
        using var paint = new SKPaint { Typeface = typeface, TextSize = 100, IsAntialias = true, Color = SKColors.White,
            Style = SKPaintStyle.StrokeAndFill, StrokeWidth = 4 };   // nearer a pen's width than a font's hairline
        var bounds = new SKRect();
        paint.MeasureText(text, ref bounds);
        g.DrawText(text, canvas / 2f - bounds.MidX, canvas / 2f - bounds.MidY, paint);
    }
    var framed = new float[size];
    normalizer.Normalize(bitmap.GetPixelSpan(), canvas, canvas, framed);
    return Blur(framed.Select(v => (double)v).ToArray(), data.Width, data.Height);
}

static double[] Blur(double[] x, int w, int h)
{
    var y = new double[x.Length];
    for (int r = 0; r < h; r++)
        for (int c = 0; c < w; c++)
        {
            double s = 0; int n = 0;
            for (int dr = -1; dr <= 1; dr++) for (int dc = -1; dc <= 1; dc++)
                {
                    int rr = r + dr, cc = c + dc;
                    if (rr < 0 || rr >= h || cc < 0 || cc >= w) continue;
                    s += x[rr * w + cc]; n++;
                }
            y[r * w + c] = s / n;
        }
    return y;
}

static double Correlation(double[] a, double[] b)
{
    double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
    for (int i = 0; i < a.Length; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) * (a[i] - ma); sbb += (b[i] - mb) * (b[i] - mb); }
    return sab / Math.Sqrt(saa * sbb + 1e-12);
}

var rendered = letters.Select(l => fonts.Select(f => Render(l.Text, f)).ToArray()).ToArray();
// Each framed sample votes for the letter it correlates with best (over the fonts); a class's score for a letter is the
// share of its samples voting for it. Votes of single samples are sturdier than one blurred mean image.
var score = new double[classes, classes];   // [class, letter]
for (int i = 0; i < data.Count; i++)
{
    normalizer.Normalize(data.Image(i), data.Width, data.Height, framedSample);
    var sample = Blur(framedSample.Select(v => (double)v).ToArray(), data.Width, data.Height);
    int best = Enumerable.Range(0, classes).MaxBy(l => rendered[l].Max(r => Correlation(sample, r)));
    score[data.Labels[i], best] += 1.0 / counts[data.Labels[i]];
}

int[] assigned = Hungarian.MaximiseAssignment(score);
Console.WriteLine("class  letter  name   votes  runner-up (votes)");
var lines = new List<string> { "# Tifinagh-MNIST class index -> letter (EMNIST mapping format: class code-point; the two labialised letters as text).",
    "# Found by docs/tifinagh/match-letters.cs (each sample votes for the rendered letter it is closest to; optimal one-to-one assignment) and checked by eye: docs/tifinagh/mapping.png." };
for (int c = 0; c < classes; c++)
{
    int l = assigned[c];
    int second = Enumerable.Range(0, classes).Where(k => k != l).MaxBy(k => score[c, k]);
    Console.WriteLine($"{c,5}  {letters[l].Text,-6}  {letters[l].Name,-5}  {score[c, l]:F3}  {letters[second].Text} {letters[second].Name} ({score[c, second]:F3})");
    var runes = letters[l].Text.EnumerateRunes().ToArray();
    lines.Add(runes.Length == 1 ? $"{c} {runes[0].Value}" : $"{c} {letters[l].Text}");
}
File.WriteAllLines(Path.Combine(repo, "models", "tifinagh-mapping.txt"), lines);
WritePicture(Path.Combine(repo, "docs", "tifinagh", "mapping.png"));
Console.WriteLine($"wrote models/tifinagh-mapping.txt and docs/tifinagh/mapping.png (fonts: {string.Join(", ", fonts.Select(Path.GetFileName))})");

void WritePicture(string path)
{
    // 3 columns of 11 rows: class number, the class's mean image, a few samples, the matched letter as typed.
    const int cell = 56, rows = 11, columns = 3, samples = 3, labelWidth = 150;
    int colWidth = 40 + cell * (1 + samples) + labelWidth;
    using var surface = SKSurface.Create(new SKImageInfo(columns * colWidth, rows * cell + 30));
    var g = surface.Canvas;
    g.Clear(SKColors.White);
    using var small = new SKPaint { Typeface = SKTypeface.FromFamilyName("DejaVu Sans"), TextSize = 14, IsAntialias = true, Color = SKColors.Black };
    using var glyph = new SKPaint { Typeface = SKTypeface.FromFile(fonts[0]), TextSize = 40, IsAntialias = true, Color = SKColors.DarkBlue };
    g.DrawText("class · mean image · 3 samples · letter matched (name, share of the class's samples closest to it)", 8, 20, small);
    for (int c = 0; c < classes; c++)
    {
        float x = c / rows * colWidth, y = 30 + c % rows * cell;
        g.DrawText(c.ToString(), x + 6, y + cell / 2f + 5, small);
        DrawGray(g, rawMeans[c].Select(v => (byte)Math.Clamp(v, 0, 255)).ToArray(), x + 40, y);
        int drawn = 0;
        for (int i = 0; i < data.Count && drawn < samples; i++)
            if (data.Labels[i] == c) DrawGray(g, data.Image(i).ToArray(), x + 40 + cell * ++drawn, y);
        int l = assigned[c];
        g.DrawText(letters[l].Text, x + 48 + cell * (1 + samples), y + 42, glyph);
        g.DrawText($"{letters[l].Name} {score[c, l]:F2}", x + 96 + cell * (1 + samples), y + cell / 2f + 5, small);
    }
    using var png = surface.Snapshot().Encode(SKEncodedImageFormat.Png, 100);
    using var file = File.Create(path);
    png.SaveTo(file);
}

void DrawGray(SKCanvas g, byte[] pixels, float x, float y)
{
    using var bitmap = new SKBitmap(new SKImageInfo(data.Width, data.Height, SKColorType.Gray8));
    System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
    g.DrawBitmap(bitmap, new SKRect(x + 2, y + 2, x + 54, y + 54));
}

static string FindRepo()
{
    for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "Crnn.MLNet.sln"))) return dir.FullName;
    throw new DirectoryNotFoundException("run from inside the repository");
}

/// <summary>Optimal one-to-one assignment of rows to columns maximising the total score (Hungarian method, O(n³)).</summary>
static class Hungarian
{
    public static int[] MaximiseAssignment(double[,] score)
    {
        int n = score.GetLength(0);
        double max = 0;
        foreach (double s in score) max = Math.Max(max, s);
        // Minimise cost = max - score with potentials u (rows), v (columns); p[j] is the row matched to column j (1-based).
        var u = new double[n + 1]; var v = new double[n + 1];
        var p = new int[n + 1]; var way = new int[n + 1];
        for (int i = 1; i <= n; i++)
        {
            p[0] = i;
            int j0 = 0;
            var minv = Enumerable.Repeat(double.PositiveInfinity, n + 1).ToArray();
            var used = new bool[n + 1];
            do
            {
                used[j0] = true;
                int i0 = p[j0], j1 = 0;
                double delta = double.PositiveInfinity;
                for (int j = 1; j <= n; j++)
                {
                    if (used[j]) continue;
                    double cur = (max - score[i0 - 1, j - 1]) - u[i0] - v[j];
                    if (cur < minv[j]) { minv[j] = cur; way[j] = j0; }
                    if (minv[j] < delta) { delta = minv[j]; j1 = j; }
                }
                for (int j = 0; j <= n; j++)
                    if (used[j]) { u[p[j]] += delta; v[j] -= delta; } else minv[j] -= delta;
                j0 = j1;
            } while (p[j0] != 0);
            do { int j1 = way[j0]; p[j0] = p[j1]; j0 = j1; } while (j0 != 0);
        }
        var assignment = new int[n];
        for (int j = 1; j <= n; j++) assignment[p[j] - 1] = j - 1;
        return assignment;
    }
}
