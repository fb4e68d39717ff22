using Crnn.MLNet.Decoding;
using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;

namespace Crnn.MLNet.Transforms;

/// <summary>Settings of the ML.NET text recogniser; checked here, and against the model's labels when the estimator is made.</summary>
public sealed class CrnnTextTransformOptions
{
    /// <param name="inputColumnName">Images (<see cref="Microsoft.ML.Data.MLImage"/>, e.g. from <c>LoadImages</c>) or image file paths (text).</param>
    /// <param name="textColumnName">Output: the text read.</param>
    /// <param name="confidenceColumnName">Output: its probability under the model (see <see cref="Decoding.CrnnTextPrediction.Confidence"/>).</param>
    /// <param name="alternativesColumnName">Output, or null for none: one entry per character of the text, the candidates at the
    /// character's peak step as <c>7=0.9812 1=0.0120 4=0.0031</c> (see <see cref="Decoding.CrnnTextCharacter.FormatAlternatives"/>).</param>
    /// <param name="decoding">Greedy or beam search, alphabet, pattern, alternatives per character; null: the defaults.</param>
    /// <param name="polarity">Ink polarity; <see cref="InkPolarity.Auto"/> decides per image from its border.</param>
    /// <param name="maxImagePixels">Largest image (width x height) accepted; larger ones are errors naming the file or row.</param>
    /// <param name="sessionOptions">ONNX Runtime settings; null: the defaults.</param>
    /// <param name="cleanup">Clean-up of real line crops (scanner borders, ruling lines, locating the text).</param>
    public CrnnTextTransformOptions(
        string inputColumnName = CrnnDefaults.InputColumnName,
        string textColumnName = CrnnTextDefaults.TextColumnName,
        string confidenceColumnName = CrnnTextDefaults.ConfidenceColumnName,
        string? alternativesColumnName = CrnnTextDefaults.AlternativesColumnName,
        CrnnCtcDecodingOptions? decoding = null,
        InkPolarity polarity = CrnnDefaults.Polarity,
        long maxImagePixels = CrnnDefaults.MaxImagePixels,
        CrnnSessionOptions? sessionOptions = null,
        LineCleanup cleanup = CrnnTextDefaults.Cleanup)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(textColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(confidenceColumnName);
        if (alternativesColumnName is not null && string.IsNullOrWhiteSpace(alternativesColumnName))
            throw new ArgumentException("must be null or a name", nameof(alternativesColumnName));
        var outputs = new[] { textColumnName, confidenceColumnName, alternativesColumnName }.OfType<string>().ToArray();
        if (outputs.Distinct(StringComparer.Ordinal).Count() != outputs.Length)
            throw new ArgumentException($"the output columns must have different names, got {string.Join(", ", outputs.Select(o => $"'{o}'"))}.", nameof(textColumnName));
        if (!Enum.IsDefined(polarity)) throw new ArgumentOutOfRangeException(nameof(polarity), polarity, "unknown polarity");
        if (maxImagePixels <= 0) throw new ArgumentOutOfRangeException(nameof(maxImagePixels), maxImagePixels, "must be positive");
        if ((cleanup & ~LineCleanup.All) != 0) throw new ArgumentOutOfRangeException(nameof(cleanup), cleanup, "unknown clean-up step");
        InputColumnName = inputColumnName;
        TextColumnName = textColumnName;
        ConfidenceColumnName = confidenceColumnName;
        AlternativesColumnName = alternativesColumnName;
        Decoding = decoding ?? CrnnCtcDecodingOptions.Default;
        Polarity = polarity;
        MaxImagePixels = maxImagePixels;
        SessionOptions = sessionOptions ?? CrnnSessionOptions.Default;
        Cleanup = cleanup;
    }

    public string InputColumnName { get; }
    public string TextColumnName { get; }
    public string ConfidenceColumnName { get; }
    public string? AlternativesColumnName { get; }
    public CrnnCtcDecodingOptions Decoding { get; }
    public InkPolarity Polarity { get; }
    public long MaxImagePixels { get; }
    public CrnnSessionOptions SessionOptions { get; }
    public LineCleanup Cleanup { get; }
}
