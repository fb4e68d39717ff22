namespace Crnn.MLNet.Decoding;

/// <summary>Settings of <see cref="CrnnCtcDecoder"/>; checked when a decoder is built for a model's labels.</summary>
public sealed record CrnnCtcDecodingOptions
{
    public const int DefaultBeamWidth = 10;
    public const int DefaultAlternatives = 3;
    public const int MaxAlternatives = 100;

    /// <summary>The defaults: beam search of width 10, no constraint, 3 alternatives per character.</summary>
    public static CrnnCtcDecodingOptions Default { get; } = new();

    public CrnnCtcDecodingMode Mode { get; init; } = CrnnCtcDecodingMode.BeamSearch;

    /// <summary>Texts kept per time step in beam search (1..1000).</summary>
    public int BeamWidth { get; init; } = DefaultBeamWidth;

    /// <summary>The only characters the text may contain (each must be one of the model's labels); null or empty: all labels.</summary>
    public string? Alphabet { get; init; }

    /// <summary>
    /// A regular expression the whole text must match, e.g. <c>\d{4}-\d{2}-\d{2}</c> (see <see cref="CrnnTextPattern"/> for
    /// the syntax). Needs <see cref="CrnnCtcDecodingMode.BeamSearch"/>. When no text of the beam matches by the last time
    /// step, the result is an empty text with confidence 0.
    /// </summary>
    public string? Pattern { get; init; }

    /// <summary>Candidate characters listed per decoded character (0..100; fewer when the model has fewer labels).</summary>
    public int Alternatives { get; init; } = DefaultAlternatives;
}
