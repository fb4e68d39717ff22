using Crnn.MLNet.Imaging;

namespace Crnn.MLNet.Training.Lines;

/// <summary>
/// How <see cref="LineSynthesizer"/> lays characters out into a line: how many, how far apart, how much they
/// move up and down and change size. Immutable and validated on construction; stored in checkpoints.
/// </summary>
public sealed record LineSynthesisOptions
{
    public static class Defaults
    {
        public const int MinLength = 1;
        public const int MaxLength = 10;
        public const int MinGap = -2;
        public const int MaxGap = 6;
        public const int MinAdvance = 10;
        public const double MinScale = 0.85;
        public const double MaxScale = 1.1;
        public const int VerticalJitter = 2;
        public const double MaxShear = 0.15;
        public const double Realism = 0;
    }

    [System.Text.Json.Serialization.JsonConstructor]
    public LineSynthesisOptions(int minLength = Defaults.MinLength, int maxLength = Defaults.MaxLength, int minGap = Defaults.MinGap,
        int maxGap = Defaults.MaxGap, int minAdvance = Defaults.MinAdvance, double minScale = Defaults.MinScale,
        double maxScale = Defaults.MaxScale, int verticalJitter = Defaults.VerticalJitter, double maxShear = Defaults.MaxShear)
    {
        if (minLength < 1) throw new ArgumentOutOfRangeException(nameof(minLength), minLength, "lines need at least one character");
        if (maxLength < minLength || maxLength > 64) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, $"must be in {minLength}..64");
        if (minGap < -8 || maxGap < minGap || maxGap > 32) throw new ArgumentOutOfRangeException(nameof(maxGap), $"gap range {minGap}..{maxGap} must lie within -8..32");
        if (minAdvance is < 0 or > 28) throw new ArgumentOutOfRangeException(nameof(minAdvance), minAdvance, "must be in 0..28");
        if (!(minScale >= 0.5) || !(maxScale >= minScale) || !(maxScale <= 2)) throw new ArgumentOutOfRangeException(nameof(maxScale), $"scale range {minScale}..{maxScale} must lie within 0.5..2");
        if (verticalJitter is < 0 or > 8) throw new ArgumentOutOfRangeException(nameof(verticalJitter), verticalJitter, "must be in 0..8");
        if (!(maxShear >= 0 && maxShear <= 0.5)) throw new ArgumentOutOfRangeException(nameof(maxShear), maxShear, "must be in 0..0.5");
        MaxShear = maxShear;
        MinLength = minLength; MaxLength = maxLength; MinGap = minGap; MaxGap = maxGap; MinAdvance = minAdvance;
        MinScale = minScale; MaxScale = maxScale; VerticalJitter = verticalJitter;
    }

    /// <summary>Fewest characters in a line.</summary>
    public int MinLength { get; }
    /// <summary>Most characters in a line.</summary>
    public int MaxLength { get; }
    /// <summary>Smallest space between neighbouring glyphs' ink, in source pixels (negative: overlap).</summary>
    public int MinGap { get; }
    /// <summary>Largest space between neighbouring glyphs' ink, in source pixels.</summary>
    public int MaxGap { get; }
    /// <summary>
    /// Least horizontal distance from one glyph's start to the next (source pixels). Keeps narrow glyphs such as
    /// "1" from collapsing into fewer CTC time steps than the text has characters.
    /// </summary>
    public int MinAdvance { get; }
    /// <summary>Smallest per-glyph scale factor.</summary>
    public double MinScale { get; }
    /// <summary>Largest per-glyph scale factor.</summary>
    public double MaxScale { get; }
    /// <summary>Most pixels a glyph moves up or down.</summary>
    public int VerticalJitter { get; }

    /// <summary>Largest horizontal shear of a glyph (x shift per row, either direction), for slanted writing.</summary>
    public double MaxShear { get; }

    /// <summary>
    /// Share of lines (0 to 1) made to look like scanned crops (paper, ink level, stroke width, ruling lines,
    /// neighbours' strokes at the edges, specks, scanner margins, unlabelled punctuation, a curved baseline) and read
    /// back through the inference library's line normaliser with its default clean-up. 0 makes the clean lines of
    /// earlier versions, the same for the same seed.
    /// </summary>
    public double Realism
    {
        get => _realism;
        init => _realism = value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Realism), value, "the share of realistic lines must be in 0..1");
    }
    private readonly double _realism = Defaults.Realism;

    /// <summary>What the lines say: random characters (the default, digit strings) or block-capital names and codes.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<LineTextKind>))]
    public LineTextKind Text
    {
        get => _text;
        init => _text = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(Text), value, "unknown kind of line text");
    }
    private readonly LineTextKind _text = LineTextKind.Random;

    /// <summary>The line model input geometry the synthesised lines are fitted to.</summary>
    public CrnnLineLayout Layout { get; init; } = new();
}
