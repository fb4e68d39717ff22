namespace Crnn.MLNet.Decoding;

/// <summary>How per-time-step CTC log-probabilities become text.</summary>
public enum CrnnCtcDecodingMode
{
    /// <summary>
    /// Best path: the most likely class at every time step, repeats collapsed, blanks dropped. Fastest; may miss the
    /// most likely text when its probability is spread over many alignments. Cannot follow a pattern.
    /// </summary>
    Greedy,
    /// <summary>Prefix beam search: keeps the <see cref="CrnnCtcDecodingOptions.BeamWidth"/> most likely texts at each step, summing over their alignments.</summary>
    BeamSearch,
}
