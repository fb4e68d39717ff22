using Crnn.MLNet.Decoding;
using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;

namespace Crnn.MLNet.Transforms;

/// <summary>Default column names of the CRNN text recogniser (<see cref="CrnnCatalog.AppendCrnnTextRecognizer{TTrans}(Microsoft.ML.IEstimator{TTrans}, Microsoft.ML.MLContext, string, string)"/>).</summary>
public static class CrnnTextDefaults
{
    /// <summary>The text read (text).</summary>
    public const string TextColumnName = "Text";
    /// <summary>The model's probability of that text (Single, 0..1).</summary>
    public const string ConfidenceColumnName = "Confidence";
    /// <summary>Per-character alternatives (variable-size vector of text, one entry per character of the text).</summary>
    public const string AlternativesColumnName = "Alternatives";
    /// <summary>Clean-up of real line crops (see <see cref="Imaging.LineCleanup"/>).</summary>
    public const Imaging.LineCleanup Cleanup = Imaging.LineCleanup.Default;
}
