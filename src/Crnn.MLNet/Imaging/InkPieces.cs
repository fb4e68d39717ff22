namespace Crnn.MLNet.Imaging;

/// <summary>One piece of ink: 8-connected pixels above a level, with its box and its amount of ink.</summary>
internal struct InkPiece
{
    public int X0, Y0, X1, Y1;
    public double Mass;
    /// <summary>Some pixel lies in the central box given to <see cref="InkPieces.Find"/>.</summary>
    public bool Central;
    public bool TouchesEdge;

    public readonly int Width => X1 - X0 + 1;
    public readonly int Height => Y1 - Y0 + 1;
}

/// <summary>
/// The pieces of ink of an ink-bright image (0 paper .. 1 ink) and a label per pixel (0: none, k: piece k - 1), for the
/// character and line clean-ups. Not thread-safe: it keeps its buffers between calls.
/// </summary>
internal sealed class InkPieces
{
    private int[] _labels = [];
    private int[] _stack = [];

    public List<InkPiece> Pieces { get; } = [];

    /// <summary>Labels of the last <see cref="Find"/> (one per pixel).</summary>
    public Span<int> Labels => _labels.AsSpan(0, _count);

    private int _count;

    /// <summary>Finds the pieces above <paramref name="threshold"/>; <c>Central</c> marks those reaching [cx0, cx1) x [cy0, cy1).</summary>
    public void Find(ReadOnlySpan<float> g, int w, int h, float threshold, int cx0 = 0, int cx1 = 0, int cy0 = 0, int cy1 = 0)
    {
        int n = w * h;
        _count = n;
        if (_labels.Length < n) _labels = new int[Math.Max(n, _labels.Length * 2)];
        if (_stack.Length < n) _stack = new int[Math.Max(n, _stack.Length * 2)];
        var labels = _labels.AsSpan(0, n);
        labels.Clear();
        Pieces.Clear();
        for (int start = 0; start < n; start++)
        {
            if (labels[start] != 0 || g[start] <= threshold) continue;
            var piece = new InkPiece { X0 = w, Y0 = h, X1 = -1, Y1 = -1 };
            int label = Pieces.Count + 1, top = 0;
            _stack[top++] = start;
            labels[start] = label;
            while (top > 0)
            {
                int p = _stack[--top], px = p % w, py = p / w;
                piece.Mass += g[p];
                piece.X0 = Math.Min(piece.X0, px); piece.X1 = Math.Max(piece.X1, px);
                piece.Y0 = Math.Min(piece.Y0, py); piece.Y1 = Math.Max(piece.Y1, py);
                if (px >= cx0 && px < cx1 && py >= cy0 && py < cy1) piece.Central = true;
                for (int dy = -1; dy <= 1; dy++)
                {
                    int qy = py + dy;
                    if ((uint)qy >= (uint)h) continue;
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int qx = px + dx;
                        if ((uint)qx >= (uint)w) continue;
                        int q = qy * w + qx;
                        if (labels[q] != 0 || g[q] <= threshold) continue;
                        labels[q] = label;
                        _stack[top++] = q;
                    }
                }
            }
            piece.TouchesEdge = piece.X0 == 0 || piece.Y0 == 0 || piece.X1 == w - 1 || piece.Y1 == h - 1;
            Pieces.Add(piece);
        }
    }

    /// <summary>The piece with the most ink among those <paramref name="eligible"/> (-1: none).</summary>
    public int Largest(Func<InkPiece, bool> eligible)
    {
        int best = -1;
        for (int i = 0; i < Pieces.Count; i++)
            if (eligible(Pieces[i]) && (best < 0 || Pieces[i].Mass > Pieces[best].Mass)) best = i;
        return best;
    }

    /// <summary>Marks in <paramref name="mask"/> every pixel within <paramref name="r"/> (square) of a piece <paramref name="selected"/> (by label).</summary>
    public void MarkNear(Span<bool> mask, int w, int h, ReadOnlySpan<bool> selected, int r)
    {
        var labels = Labels;
        mask.Clear();
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int label = labels[y * w + x];
                if (label == 0 || !selected[label]) continue;
                int xa = Math.Max(0, x - r), xb = Math.Min(w - 1, x + r);
                for (int yy = Math.Max(0, y - r); yy <= Math.Min(h - 1, y + r); yy++) mask.Slice(yy * w + xa, xb - xa + 1).Fill(true);
            }
    }

    /// <summary>
    /// The level that best splits ink from paper (Otsu's threshold on a 256-bin histogram of 0..1 values), within
    /// [<paramref name="low"/>, <paramref name="high"/>]: faint lines of a printed background fall below it.
    /// </summary>
    public static float InkThreshold(ReadOnlySpan<float> g, float low, float high)
    {
        Span<int> hist = stackalloc int[256];
        foreach (float v in g) hist[(int)(Math.Clamp(v, 0f, 1f) * 255f)]++;
        double total = g.Length, sumAll = 0;
        for (int b = 0; b < 256; b++) sumAll += b * (double)hist[b];
        double weightLow = 0, sumLow = 0, best = -1;
        int threshold = 0;
        for (int b = 0; b < 256; b++)
        {
            weightLow += hist[b];
            if (weightLow == 0) continue;
            double weightHigh = total - weightLow;
            if (weightHigh == 0) break;
            sumLow += b * (double)hist[b];
            double meanLow = sumLow / weightLow, meanHigh = (sumAll - sumLow) / weightHigh;
            double between = weightLow * weightHigh * (meanLow - meanHigh) * (meanLow - meanHigh);
            if (between > best) { best = between; threshold = b; }
        }
        return Math.Clamp((threshold + 0.5f) / 255f, low, high);
    }
}
