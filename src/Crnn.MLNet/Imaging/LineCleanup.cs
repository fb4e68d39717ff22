namespace Crnn.MLNet.Imaging;

/// <summary>
/// Clean-up steps for real crops of a line of writing (scans of registers, forms, cheques), applied by
/// <see cref="CrnnLineNormalizer"/> before it scales the ink to the model's height. Each can be turned off.
/// </summary>
[Flags]
public enum LineCleanup
{
    /// <summary>No clean-up: the ink is everything darker than the paper level of the image's border.</summary>
    None = 0,
    /// <summary>
    /// Remove scanner borders: large dark regions reaching the image's edge on an otherwise light page become paper
    /// (before the ink polarity is decided, which they would otherwise turn round).
    /// </summary>
    RemoveBorders = 1,
    /// <summary>Remove ruling lines: straight runs of ink across most of the crop's width or height.</summary>
    RemoveRulingLines = 2,
    /// <summary>
    /// Locate the written text: keep the piece with the most ink (not a long straight stroke) and the pieces beside it on
    /// the same band of rows; drop pieces cut by the crop's edge, specks, long straight strokes (underlines, rules) and
    /// marks above or below the text. A small mark on the text's rows within half its height before or after it (the
    /// full stop of "K.", an apostrophe) is kept.
    /// </summary>
    LocateText = 4,
    /// <summary>
    /// Level a line written uphill or downhill: the slope of a line through the ink's centre of each column, when the
    /// ink is a few characters long, is sheared away (up to about 14 degrees).
    /// </summary>
    Deskew = 8,
    /// <summary>Stand leaning writing upright: the horizontal shear that stacks the strokes into the fewest columns is undone.</summary>
    Deslant = 16,
    /// <summary>
    /// The default: <see cref="RemoveBorders"/> and <see cref="LocateText"/>. (<see cref="RemoveRulingLines"/> is
    /// opt-in: on tight crops it takes the tall stroke of a "1" or the bar of a "7" for a rule; <see cref="Deskew"/>
    /// and <see cref="Deslant"/> are opt-in until a model trained with them ships: the shipped ones learnt slanted digits.)
    /// </summary>
    Default = RemoveBorders | LocateText,
    /// <summary>Every step.</summary>
    All = RemoveBorders | RemoveRulingLines | LocateText | Deskew | Deslant,
}

/// <summary>The line clean-up steps. Not thread-safe (scratch buffers): one per normaliser.</summary>
internal sealed class LineCleaner
{
    /// <summary>Darker than this (0..1, paper light) may be scanner background.</summary>
    internal const float BorderDark = 0.3f;
    /// <summary>A dark region reaching the edge is a border when it covers at least this share of the image...</summary>
    internal const float BorderMinShare = 0.03f;
    /// <summary>...but not more than this share (then it is the background of light writing on dark)...</summary>
    internal const float BorderMaxShare = 0.6f;
    /// <summary>...runs along at least this share of one side of the crop, reaching in from it at least the second share...</summary>
    internal const float BorderSide = 0.5f, BorderDepth = 0.2f;
    /// <summary>...and the rest of the image is mostly light (its median above this).</summary>
    internal const float PaperLight = 0.55f;
    /// <summary>Ink runs longer than this share of the width (rows) or height (columns) are ruling lines.</summary>
    internal const float RulingShare = 0.6f;
    /// <summary>
    /// A piece this many times wider than high is an underline or a rule, and one this many times higher than wide a
    /// vertical rule: not writing ("1" written tall stays below the second; a dash is kept only beside other writing).
    /// </summary>
    internal const int WideStroke = 4, TallStroke = 8;
    /// <summary>A piece cut by the crop's edge is kept beside the text only when at least this share of the text's height.</summary>
    internal const float EdgeShare = 0.5f;
    /// <summary>Pieces with less ink than this share of the main piece, and less than 0.4 of the text's height, are specks.</summary>
    internal const float SpeckShare = 0.05f;
    /// <summary>A speck on the text's rows at most this many text heights after (or before) the text is a mark of it.</summary>
    internal const float TrailingMarkGap = 0.5f;

    /// <summary>Bounds of the ink level that splits pieces (Otsu's): low enough not to break thin strokes apart.</summary>
    internal const float MinPieceThreshold = 0.25f, MaxPieceThreshold = 0.45f;

    private int[] _stack = [];
    private bool[] _mask = [];
    private bool[] _seen = [];
    private readonly InkPieces _ink = new();

    /// <summary>
    /// On a gray image with paper light (0..1): dark regions connected to the edge that cover at least
    /// <see cref="BorderMinShare"/> of the image, when the rest is light paper, are set to the paper level.
    /// Returns whether anything was removed.
    /// </summary>
    public bool RemoveBorders(Span<float> g, int w, int h)
    {
        int n = w * h;
        Grow(n);
        var border = _mask.AsSpan(0, n);
        border.Clear();
        var seen = _seen.AsSpan(0, n);
        seen.Clear();
        int total = 0;
        // Each dark region reaching the edge, one at a time: a scanner border runs along most of a side of the crop
        // (strokes of writing that touch the edge of a tight crop touch it only in a few places).
        var region = new List<int>();
        for (int e = 0; e < 2 * (w + h); e++)
        {
            int seed = e < w ? e : e < 2 * w ? (h - 1) * w + (e - w) : e < 2 * w + h ? (e - 2 * w) * w : (e - 2 * w - h) * w + w - 1;
            if (seen[seed] || g[seed] >= BorderDark) continue;
            region.Clear();
            int top = 0, left = 0, right = 0, up = 0, down = 0, rx0 = w, rx1 = -1, ry0 = h, ry1 = -1;
            seen[seed] = true;
            _stack[top++] = seed;
            while (top > 0)
            {
                int p = _stack[--top], px = p % w, py = p / w;
                region.Add(p);
                rx0 = Math.Min(rx0, px); rx1 = Math.Max(rx1, px); ry0 = Math.Min(ry0, py); ry1 = Math.Max(ry1, py);
                if (px == 0) left++;
                if (px == w - 1) right++;
                if (py == 0) up++;
                if (py == h - 1) down++;
                if (px > 0) Push(g, seen, p - 1, ref top);
                if (px < w - 1) Push(g, seen, p + 1, ref top);
                if (py > 0) Push(g, seen, p - w, ref top);
                if (py < h - 1) Push(g, seen, p + w, ref top);
            }
            // Along a side, and reaching in from it a fifth of the crop or more (a stroke of a tight crop is thinner).
            bool alongSide = (left >= BorderSide * h && rx1 + 1 >= BorderDepth * w) || (right >= BorderSide * h && w - rx0 >= BorderDepth * w)
                || (up >= BorderSide * w && ry1 + 1 >= BorderDepth * h) || (down >= BorderSide * w && h - ry0 >= BorderDepth * h);
            if (!alongSide || region.Count < BorderMinShare * n) continue;
            foreach (int p in region) border[p] = true;
            total += region.Count;
        }
        // A dark region over most of the crop is its background (light writing on dark), not a scanner margin.
        if (total == 0 || total > BorderMaxShare * n) return false;
        // The paper level: median of what is left; only a light page has scanner borders to remove.
        Span<int> hist = stackalloc int[256];
        for (int i = 0; i < n; i++) if (!border[i]) hist[(int)(Math.Clamp(g[i], 0f, 1f) * 255)]++;
        int half = (n - total) / 2, count = 0, median = 255;
        for (int b = 0; b < 256; b++) { count += hist[b]; if (count > half) { median = b; break; } }
        float paper = median / 255f;
        if (paper < PaperLight) return false;
        for (int i = 0; i < n; i++) if (border[i]) g[i] = paper;
        return true;
    }

    private void Push(ReadOnlySpan<float> g, Span<bool> seen, int p, ref int top)
    {
        if (seen[p] || g[p] >= BorderDark) return;
        seen[p] = true;
        _stack[top++] = p;
    }

    /// <summary>On ink-bright values (0 paper .. 1 ink): zeroes straight ink runs across most of the width or height.</summary>
    public void RemoveRulingLines(Span<float> g, int w, int h, float threshold)
    {
        int n = w * h;
        Grow(n);
        var line = _mask.AsSpan(0, n);
        line.Clear();
        int minRow = (int)(RulingShare * w), minCol = (int)(RulingShare * h);
        for (int y = 0; y < h; y++)
        {
            int start = -1;
            for (int x = 0; x <= w; x++)
            {
                bool ink = x < w && g[y * w + x] > threshold;
                if (ink && start < 0) start = x;
                if (!ink && start >= 0)
                {
                    if (x - start >= minRow) line.Slice(y * w + start, x - start).Fill(true);
                    start = -1;
                }
            }
        }
        for (int x = 0; x < w; x++)
        {
            int start = -1;
            for (int y = 0; y <= h; y++)
            {
                bool ink = y < h && g[y * w + x] > threshold;
                if (ink && start < 0) start = y;
                if (!ink && start >= 0)
                {
                    if (y - start >= minCol) for (int k = start; k < y; k++) line[k * w + x] = true;
                    start = -1;
                }
            }
        }
        // A line's soft edge (a pixel each side) goes with it.
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                if (!line[y * w + x]) continue;
                for (int yy = Math.Max(0, y - 1); yy <= Math.Min(h - 1, y + 1); yy++)
                    for (int xx = Math.Max(0, x - 1); xx <= Math.Min(w - 1, x + 1); xx++)
                        if (!line[yy * w + xx] && g[yy * w + xx] <= threshold) g[yy * w + xx] = 0;
                g[y * w + x] = 0;
            }
    }

    /// <summary>
    /// On ink-bright values: keeps the text (see <see cref="LineCleanup.LocateText"/>) and zeroes everything else
    /// (dropped pieces and whatever is not within a pixel or two of a kept piece).
    /// </summary>
    public void LocateText(Span<float> g, int w, int h, float threshold)
    {
        int n = w * h;
        Grow(n);
        _ink.Find(g, w, h, threshold);
        var pieces = _ink.Pieces;
        if (pieces.Count == 0) return;
        // The main piece: the most ink among pieces that are neither cut by the edge nor a stroke of a line (underline,
        // rule, bracket of the form); failing that, among those not cut by the edge; failing that, any.
        int main = _ink.Largest(p => !p.TouchesEdge && !Elongated(p));
        if (main < 0) main = _ink.Largest(p => !p.TouchesEdge);
        if (main < 0) main = _ink.Largest(_ => true);
        // The text band: the main piece's rows; pieces are kept while the band's rows cover half of theirs, growing it.
        var m = pieces[main];
        int band0 = m.Y0, band1 = m.Y1;
        var keep = new bool[pieces.Count + 1];
        var speck = new bool[pieces.Count + 1];
        keep[main + 1] = true;
        for (bool grew = true; grew;)
        {
            grew = false;
            for (int i = 0; i < pieces.Count; i++)
            {
                if (keep[i + 1] || speck[i + 1]) continue;
                var p = pieces[i];
                int overlap = Math.Min(p.Y1, band1) - Math.Max(p.Y0, band0) + 1, height = p.Height;
                // A speck is small and short (a piece of a character broken by the threshold may be light but spans
                // rows): it does not grow the band, and is left alone where it is (inside the text's box it may be
                // part of a faint stroke; outside, the box removes it).
                if (p.Mass < SpeckShare * m.Mass && height < 0.4 * (band1 - band0 + 1)) { speck[i + 1] = true; continue; }
                if (overlap * 2 < height) continue;
                // Beside the text: a piece cut by the edge only when it is a sizeable character (not a sliver of a
                // neighbour); a long straight stroke only when it is no taller than the text (a "1", not a rule).
                if (p.TouchesEdge && height < EdgeShare * (band1 - band0 + 1)) continue;
                if (Elongated(p) && (p.Width >= WideStroke * height || height > 1.5 * (band1 - band0 + 1))) continue;
                keep[i + 1] = true;
                band0 = Math.Min(band0, p.Y0);
                band1 = Math.Max(band1, p.Y1);
                grew = true;
            }
        }
        // Everything outside the kept pieces' box (grown by a stroke's soft edge) is paper, and so are the dropped
        // pieces inside it with their soft edges; faint parts of the writing inside the box stay.
        int r = Math.Max(1, (int)Math.Round(m.Height / 20.0));
        int kx0 = w, ky0 = h, kx1 = -1, ky1 = -1;
        var drop = new bool[pieces.Count + 1];
        for (int i = 0; i < pieces.Count; i++)
        {
            drop[i + 1] = !keep[i + 1] && !speck[i + 1];
            if (!keep[i + 1]) continue;
            var p = pieces[i];
            kx0 = Math.Min(kx0, p.X0); ky0 = Math.Min(ky0, p.Y0); kx1 = Math.Max(kx1, p.X1); ky1 = Math.Max(ky1, p.Y1);
        }
        // A small mark just after the text's last stroke or before its first, on the text's rows (the full stop of
        // "K.", an apostrophe, a comma), is writing, not dust: the box grows to take it in.
        int bandHeight = band1 - band0 + 1, right = kx1, left = kx0;
        for (int i = 0; i < pieces.Count; i++)
        {
            if (!speck[i + 1]) continue;
            var p = pieces[i];
            bool onBand = p.Y1 >= band0 && p.Y0 <= band1 + bandHeight / 4;
            if (!onBand || p.TouchesEdge) continue;
            if (p.X0 > right && p.X0 - right <= TrailingMarkGap * bandHeight) kx1 = Math.Max(kx1, p.X1);
            else if (p.X1 < left && left - p.X1 <= TrailingMarkGap * bandHeight) kx0 = Math.Min(kx0, p.X0);
            else continue;
            ky0 = Math.Min(ky0, p.Y0); ky1 = Math.Max(ky1, p.Y1);
        }
        kx0 = Math.Max(0, kx0 - r); ky0 = Math.Max(0, ky0 - r); kx1 = Math.Min(w - 1, kx1 + r); ky1 = Math.Min(h - 1, ky1 + r);
        var dropped = _mask.AsSpan(0, n);
        _ink.MarkNear(dropped, w, h, drop, r);
        var labels = _ink.Labels;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x;
                bool inside = x >= kx0 && x <= kx1 && y >= ky0 && y <= ky1;
                if (!inside || (dropped[i] && !(keep[labels[i]] || speck[labels[i]]))) g[i] = 0;
            }
    }

    private static bool Elongated(InkPiece p) => p.Width >= WideStroke * p.Height || p.Height >= TallStroke * p.Width;

    private void Grow(int n)
    {
        if (_stack.Length < n) _stack = new int[n];
        if (_mask.Length < n) _mask = new bool[n];
        if (_seen.Length < n) _seen = new bool[n];
    }
}
