using Crnn.MLNet.Decoding;
using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;
using Crnn.MLNet.Transforms;

namespace Crnn.MLNet.Recognition;

/// <summary>Settings of a <see cref="CrnnTextRecognizer"/>; checked when the recogniser is created.</summary>
public sealed record CrnnTextRecognizerOptions
{
    /// <summary>Greedy or beam search, beam width, alphabet, pattern, alternatives per character.</summary>
    public CrnnCtcDecodingOptions Decoding { get; init; } = CrnnCtcDecodingOptions.Default;

    /// <summary>Ink polarity; <see cref="InkPolarity.Auto"/> decides per image from its border.</summary>
    public InkPolarity Polarity { get; init; } = CrnnDefaults.Polarity;

    /// <summary>Clean-up of real line crops: scanner borders, ruling lines, locating the text (see <see cref="LineCleanup"/>).</summary>
    public LineCleanup Cleanup { get; init; } = CrnnTextDefaults.Cleanup;

    /// <summary>Most lines per ONNX Runtime run in batched calls (1..4096).</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>
    /// Batched calls run together only lines of the same normalised width (false, the default), so every line gets exactly
    /// what a single <c>Predict</c> gives; or (true) sort lines by width and pad each batch to its widest line with the
    /// background value, which fills batches better but lets a recurrent model see the padding: results may then differ
    /// slightly from single predictions.
    /// </summary>
    public bool PadBatches { get; init; }

    /// <summary>Largest image decoded (width x height), checked from the header before decoding.</summary>
    public long MaxImagePixels { get; init; } = CrnnDefaults.MaxImagePixels;

    public CrnnSessionOptions Session { get; init; } = CrnnSessionOptions.Default;
}
