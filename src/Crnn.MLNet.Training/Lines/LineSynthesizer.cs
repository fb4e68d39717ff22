using Crnn.MLNet.Imaging;
using Crnn.MLNet.Training.Data;
using Crnn.MLNet.Training.Realism;

namespace Crnn.MLNet.Training.Lines;

/// <summary>
/// Makes lines of handwriting from a character dataset: glyphs (cropped to their ink columns) drawn from a pool of
/// images, each scaled and moved up or down a little, placed left to right with random gaps (slight overlap
/// allowed), then fitted to the line model's input geometry with <see cref="CrnnLineNormalizer.Fit"/>, the same
/// function that prepares real pictures at inference. Labels the dataset has no image of, when they are a space or a
/// mark <see cref="Realism.PunctuationMarks"/> can draw (block-capital names), are written by the synthesiser: a
/// wider gap, a pen-drawn mark. Deterministic for a given <see cref="Random"/> sequence.
/// Thread-safe: it keeps no mutable state (the caller owns the <see cref="Random"/>).
/// </summary>
public sealed class LineSynthesizer
{
    private const float InkThreshold = 0.2f;
    private readonly CharacterDataset _data;
    private readonly int[] _pool;
    private readonly (int First, int Last)[] _columns;
    private readonly int[][] _byLabel;
    private readonly Dictionary<int, char> _drawn = new();
    private readonly Dictionary<char, int> _labelOf = new();

    /// <param name="data">Character images (light ink on dark, as MNIST).</param>
    /// <param name="pool">Indices of the images lines may use (e.g. the training part of a split).</param>
    /// <param name="options">Layout randomness.</param>
    public LineSynthesizer(CharacterDataset data, IReadOnlyList<int> pool, LineSynthesisOptions options)
    {
        _data = data ?? throw new ArgumentNullException(nameof(data));
        Options = options ?? throw new ArgumentNullException(nameof(options));
        ArgumentNullException.ThrowIfNull(pool);
        if (pool.Count == 0) throw new ArgumentException("the pool of character images is empty", nameof(pool));
        if (pool.Any(i => (uint)i >= (uint)data.Count)) throw new ArgumentOutOfRangeException(nameof(pool), $"pool indices must be in 0..{data.Count - 1}");
        // A label may be several UTF-16 units (beyond the BMP, a letter with its modifier): a line's text is their
        // concatenation. The decoder's own rule says which label sets a line model can have.
        if (Crnn.MLNet.Decoding.CrnnCtcDecoder.LabelProblem(data.LabelNames) is { } problem)
            throw new ArgumentException($"dataset '{data.Name}': {problem}", nameof(data));
        _pool = pool.ToArray();
        _columns = new (int, int)[data.Count];
        foreach (int i in _pool) _columns[i] = InkColumns(data.Image(i), data.Width, data.Height);
        _byLabel = _pool.GroupBy(i => data.Labels[i]).Aggregate(new int[data.ClassCount][], (byLabel, g) => { byLabel[g.Key] = g.ToArray(); return byLabel; });
        for (int k = 0; k < data.ClassCount; k++)
        {
            _byLabel[k] ??= [];
            if (data.LabelNames[k] is not [char c]) continue;
            _labelOf[c] = k;
            // A label with no image that is a space or a mark the synthesiser can draw is written by it, labelled.
            if (_byLabel[k].Length == 0 && (c == ' ' || PunctuationMarks.Drawable.Contains(c))) _drawn[k] = c;
        }
        if (options.Text == LineTextKind.Names)
        {
            if (!data.LabelNames.SequenceEqual(BlockCapitalText.Labels))
                throw new ArgumentException($"dataset '{data.Name}': name lines need the block-capital labels ({string.Concat(BlockCapitalText.Labels)}); prepare the dataset with BlockCapitalText.Alphabet.", nameof(data));
            var absent = BlockCapitalText.Glyphs.Where((c, k) => _byLabel[k].Length == 0).ToArray();
            if (absent.Length > 0)
                throw new ArgumentException($"dataset '{data.Name}': the {_pool.Length} images lines may use hold no '{string.Join("', '", absent)}' (use more images).", nameof(pool));
        }
    }

    public LineSynthesisOptions Options { get; }

    /// <summary>
    /// A random line: for <see cref="LineTextKind.Random"/>, random pool characters, length uniform in
    /// MinLength..MaxLength; for <see cref="LineTextKind.Names"/>, a text of <see cref="BlockCapitalText"/> written with
    /// random pool images of its letters and digits.
    /// </summary>
    public SynthesizedLine Next(Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (Options.Text == LineTextKind.Names)
        {
            string text = BlockCapitalText.Next(rng, Options.MinLength, Options.MaxLength);
            return ComposeTokens(Tokens(text, label => _byLabel[label][rng.Next(_byLabel[label].Length)]), rng);
        }
        int length = rng.Next(Options.MinLength, Options.MaxLength + 1);
        var images = new int[length];
        for (int k = 0; k < length; k++) images[k] = _pool[rng.Next(_pool.Length)];
        return Compose(images, rng);
    }

    /// <summary>
    /// A fixed, reproducible set of <paramref name="count"/> lines: lengths cycle through MinLength..MaxLength (equal
    /// numbers per length), characters are taken from the pool in a seeded shuffled order (every image is used
    /// before any is used again). For <see cref="LineTextKind.Names"/>, seeded texts, each character's images taken
    /// in a seeded shuffled order of its own.
    /// </summary>
    public IEnumerable<SynthesizedLine> FixedSet(int count, int seed)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "must be positive");
        return Options.Text == LineTextKind.Names ? FixedNames(count, seed) : FixedRandomCharacters(count, seed);
    }

    /// <summary>
    /// Lines that say the given <paramref name="texts"/>, in order: each character's images taken from the pool in a
    /// seeded shuffled order of its own; spaces and marks the dataset has no image of are drawn (as in name lines).
    /// </summary>
    /// <exception cref="ArgumentException">A text is empty or has a character this dataset and pool cannot write.</exception>
    public IEnumerable<SynthesizedLine> Write(IReadOnlyList<string> texts, int seed)
    {
        ArgumentNullException.ThrowIfNull(texts);
        for (int i = 0; i < texts.Count; i++)
        {
            string text = texts[i] ?? throw new ArgumentException($"text {i + 1} is missing", nameof(texts));
            if (text.Trim().Length == 0) throw new ArgumentException($"text {i + 1} is empty", nameof(texts));
            if (text.Trim() != text) throw new ArgumentException($"text {i + 1} ('{text}') starts or ends with a space", nameof(texts));
            var unwritable = text.Where(c => !_labelOf.TryGetValue(c, out int k) || (_byLabel[k].Length == 0 && !_drawn.ContainsKey(k))).Distinct().ToArray();
            if (unwritable.Length > 0)
                throw new ArgumentException($"text {i + 1} ('{text}'): dataset '{_data.Name}' cannot write '{string.Join("', '", unwritable)}' (its characters: {string.Concat(_data.LabelNames)})", nameof(texts));
        }
        return FixedTexts(texts.Count, seed, (n, _) => texts[n]);
    }

    private IEnumerable<SynthesizedLine> FixedNames(int count, int seed) =>
        FixedTexts(count, seed, (_, rng) => BlockCapitalText.Next(rng, Options.MinLength, Options.MaxLength));

    private IEnumerable<SynthesizedLine> FixedTexts(int count, int seed, Func<int, Random, string> text)
    {
        var rng = new Random(seed);
        var orders = _byLabel.Select(images => { var order = (int[])images.Clone(); rng.Shuffle(order); return order; }).ToArray();
        var next = new int[orders.Length];
        int NextImage(int label)
        {
            var order = orders[label];
            if (next[label] == order.Length) { rng.Shuffle(order); next[label] = 0; }
            return order[next[label]++];
        }
        for (int n = 0; n < count; n++)
            yield return ComposeTokens(Tokens(text(n, rng), NextImage), rng);
    }

    private IEnumerable<SynthesizedLine> FixedRandomCharacters(int count, int seed)
    {
        var rng = new Random(seed);
        var order = (int[])_pool.Clone();
        rng.Shuffle(order);
        int next = 0, lengths = Options.MaxLength - Options.MinLength + 1;
        for (int n = 0; n < count; n++)
        {
            int length = Options.MinLength + n % lengths;
            var images = new int[length];
            for (int k = 0; k < length; k++)
            {
                if (next == order.Length) { rng.Shuffle(order); next = 0; }
                images[k] = order[next++];
            }
            yield return Compose(images, rng);
        }
    }

    /// <summary>
    /// Lays out the given dataset images as one line. A share <see cref="LineSynthesisOptions.Realism"/> of lines is
    /// made to look scanned: a curved baseline, unlabelled punctuation between some characters, then the page of
    /// <see cref="ScannedLineRenderer"/> read back through the inference library's own line normaliser (clean-up
    /// included), so the model trains on what it will be given.
    /// </summary>
    public SynthesizedLine Compose(IReadOnlyList<int> images, Random rng)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(rng);
        if (images.Count == 0) throw new ArgumentException("a line needs at least one character", nameof(images));
        if (images.Any(i => (uint)i >= (uint)_data.Count)) throw new ArgumentOutOfRangeException(nameof(images), $"image indices must be in 0..{_data.Count - 1}");
        return ComposeTokens(images, rng);
    }

    // A text as tokens: a dataset image index (>= 0) for each glyph, the complement of its label (< 0) for a space or
    // a mark the synthesiser draws.
    private int[] Tokens(string text, Func<int, int> image)
    {
        var tokens = new int[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            int label = _labelOf[text[i]];
            tokens[i] = _drawn.ContainsKey(label) ? ~label : image(label);
        }
        return tokens;
    }

    private SynthesizedLine ComposeTokens(IReadOnlyList<int> tokens, Random rng)
    {
        // Only a realistic run draws the extra numbers: with Realism 0 the lines are the ones earlier versions made.
        bool realistic = Options.Realism > 0 && rng.NextDouble() < Options.Realism;
        int h = _data.Height, w = _data.Width;
        int jitter = Options.VerticalJitter;
        int canvasHeight = (int)Math.Ceiling(h * Options.MaxScale) + 2 * jitter + 2;
        double curve = 0, period = 1, phase = 0, punctuation = 0;
        if (realistic)
        {
            curve = rng.NextDouble() * 2.5;
            period = 80 + rng.NextDouble() * 200;
            phase = rng.NextDouble() * 2 * Math.PI;
            // Unlabelled marks only where the model has no label for them (digit lines): a labelled mark must be written.
            punctuation = rng.NextDouble() < 0.35 && _drawn.Count == 0 ? 0.1 + rng.NextDouble() * 0.25 : 0;
        }
        // Scale each glyph (and each mark), then place it.
        var glyphs = new List<(float[] Pixels, int Width, int Height, int Top, int Advance)>(tokens.Count);
        int total = 0;
        for (int k = 0; k < tokens.Count; k++)
        {
            int index = tokens[k];
            if (index < 0)
            {
                // A space widens the gap to the next glyph (to 8-26 source pixels of paper, wider than any gap between
                // letters); a mark is drawn in a box of its own.
                char drawn = _drawn[~index];
                if (drawn == ' ')
                {
                    int space = rng.Next(10, 21);
                    glyphs.Add(([], 0, 0, 0, space));
                    total += space;
                    continue;
                }
                var labelled = PunctuationMarks.Draw(drawn, canvasHeight, rng);
                int markGap = rng.Next(Math.Max(Options.MinGap, 0), Math.Max(Options.MaxGap, 0) / 2 + 2);
                glyphs.Add((labelled.Pixels, labelled.Width, labelled.Height, labelled.Top, labelled.Width + markGap));
                total += labelled.Width + markGap;
                continue;
            }
            var (first, last) = _columns[index];
            if (last < first) (first, last) = (0, w - 1); // a blank image: keep it whole
            double scale = Options.MinScale + rng.NextDouble() * (Options.MaxScale - Options.MinScale);
            double shear = (rng.NextDouble() * 2 - 1) * Options.MaxShear;
            int gh = Math.Max(1, (int)Math.Round(h * scale));
            int slant = (int)Math.Ceiling(Math.Abs(shear) * gh / 2);
            int gw = Math.Max(1, (int)Math.Round((last - first + 1) * scale)) + 2 * slant;
            var pixels = Scale(_data.Image(index), w, first, last, gw, gh, shear, slant);
            int top = (canvasHeight - gh) / 2 + rng.Next(-jitter, jitter + 1);
            if (curve > 0) top += (int)Math.Round(curve * Math.Sin(total * 2 * Math.PI / period + phase));
            int gap = rng.Next(Options.MinGap, Options.MaxGap + 1);
            int advance = Math.Max(gw + gap, Options.MinAdvance);
            glyphs.Add((pixels, gw, gh, top, advance));
            total += advance;
            if (punctuation > 0 && k < tokens.Count - 1 && rng.NextDouble() < punctuation)
            {
                var mark = PunctuationMarks.Draw(PunctuationMarks.Kinds[rng.Next(PunctuationMarks.Kinds.Length)], canvasHeight, rng);
                int markAdvance = mark.Width + rng.Next(0, 4);
                glyphs.Add((mark.Pixels, mark.Width, mark.Height, mark.Top, markAdvance));
                total += markAdvance;
            }
        }
        var lastGlyph = glyphs[^1];
        total += lastGlyph.Width - lastGlyph.Advance;
        int canvasWidth = Math.Max(total, 1) + 2;
        var canvas = new float[canvasHeight * canvasWidth];
        int x0 = 1;
        foreach (var (pixels, gw, gh, top, advance) in glyphs)
        {
            for (int y = 0; y < gh; y++)
            {
                int cy = top + y;
                if ((uint)cy >= (uint)canvasHeight) continue;
                for (int x = 0; x < gw; x++)
                {
                    int cx = x0 + x;
                    if ((uint)cx >= (uint)canvasWidth) continue;
                    ref float c = ref canvas[cy * canvasWidth + cx];
                    c = MathF.Max(c, pixels[y * gw + x]); // overlapping strokes: the darker ink wins
                }
            }
            x0 += advance;
        }
        var labels = tokens.Select(t => t < 0 ? ~t : _data.Labels[t]).ToArray();
        if (realistic)
        {
            var (page, pageWidth, pageHeight) = ScannedLineRenderer.Render(canvas, canvasWidth, canvasHeight, rng);
            var read = new CrnnLineNormalizer(Options.Layout, InkPolarity.Auto, LineCleanup.Default).Normalize(page, pageWidth, pageHeight);
            return new SynthesizedLine(read.Pixels, read.Width, read.Height, labels) { Scan = new ScannedPage(page, pageWidth, pageHeight) };
        }
        var fitted = CrnnLineNormalizer.Fit(canvas, canvasWidth, canvasHeight, Options.Layout, out int width);
        return new SynthesizedLine(fitted, width, Options.Layout.Height, labels);
    }

    // Columns holding ink (above 20% of full scale); (0, -1) for an empty image.
    private static (int First, int Last) InkColumns(ReadOnlySpan<byte> image, int width, int height)
    {
        int first = width, last = -1;
        byte threshold = (byte)(255 * InkThreshold);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                if (image[y * width + x] > threshold)
                {
                    if (x < first) first = x;
                    if (x > last) last = x;
                }
        return last < 0 ? (0, -1) : (first, last);
    }

    // Bilinear resize of columns first..last (all rows) to (gw - 2 slant) x gh, sheared by shear (x shift per row
    // around the middle row) into gw x gh with slant columns of room on each side; values in [0, 1].
    private static float[] Scale(ReadOnlySpan<byte> image, int width, int first, int last, int gw, int gh, double shear, int slant)
    {
        int sw = last - first + 1, sh = image.Length / width;
        var result = new float[gw * gh];
        double fx = (double)sw / (gw - 2 * slant), fy = (double)sh / gh;
        for (int y = 0; y < gh; y++)
        {
            double sy = Math.Clamp((y + 0.5) * fy - 0.5, 0, sh - 1);
            int y0 = (int)sy, y1 = Math.Min(y0 + 1, sh - 1);
            double ty = sy - y0;
            for (int x = 0; x < gw; x++)
            {
                double sx = (x - slant - shear * (y - gh / 2.0) + 0.5) * fx - 0.5;
                if (sx < -0.5 || sx > sw - 0.5) continue;
                sx = Math.Clamp(sx, 0, sw - 1);
                int x0 = (int)sx, x1 = Math.Min(x0 + 1, sw - 1);
                double tx = sx - x0;
                double top = image[y0 * width + first + x0] * (1 - tx) + image[y0 * width + first + x1] * tx;
                double bottom = image[y1 * width + first + x0] * (1 - tx) + image[y1 * width + first + x1] * tx;
                result[y * gw + x] = (float)((top * (1 - ty) + bottom * ty) / 255.0);
            }
        }
        return result;
    }
}
