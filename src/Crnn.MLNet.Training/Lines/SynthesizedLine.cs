namespace Crnn.MLNet.Training.Lines;

/// <summary>
/// One synthesised line: <see cref="Height"/> x <see cref="Width"/> pixels in [0, 1], ink bright (not yet
/// standardised), and the class indices of its characters left to right (indices into the dataset's labels).
/// </summary>
public sealed record SynthesizedLine(float[] Pixels, int Width, int Height, int[] Labels)
{
    /// <summary>For a realistic line, the scanned-looking picture <see cref="Pixels"/> was read from; null for a clean line.</summary>
    public Realism.ScannedPage? Scan { get; init; }

    /// <summary>The line's text, given the dataset's label names.</summary>
    public string Text(IReadOnlyList<string> labelNames) => string.Concat(Labels.Select(l => labelNames[l]));
}
