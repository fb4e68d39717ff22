using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;

namespace Crnn.MLNet.Transforms;

/// <summary>Default column names and settings of the CRNN transforms.</summary>
public static class CrnnDefaults
{
    /// <summary>Input column: image paths (text), images (<see cref="Microsoft.ML.Data.MLImage"/>) or pixel vectors.</summary>
    public const string InputColumnName = "Image";
    /// <summary>The normalised model input (Vector&lt;Single, 784&gt; for 28 x 28 models).</summary>
    public const string NormalizedColumnName = "CrnnInput";
    /// <summary>Class probabilities in the model's label order (ML.NET's multiclass score column).</summary>
    public const string ScoreColumnName = "Score";
    /// <summary>Optional raw logits; not produced unless a name is given.</summary>
    public const string? LogitsColumnName = null;
    /// <summary>The predicted class as a key whose key values are the model's labels.</summary>
    public const string PredictedLabelColumnName = "PredictedLabel";
    /// <summary>The predicted label as text.</summary>
    public const string PredictedLabelTextColumnName = "PredictedLabelText";
    /// <summary>Why an image could not be used (empty when it was), when bad images are skipped.</summary>
    public const string ErrorColumnName = "CrnnError";
    /// <summary>Rows scored per ONNX Runtime run.</summary>
    public const int BatchSize = 64;
    /// <summary>Largest decoded image accepted (width x height), checked from the header before decoding.</summary>
    public const long MaxImagePixels = 40_000_000;
    public const InkPolarity Polarity = InkPolarity.Auto;
    public const BadImageHandling BadImages = BadImageHandling.Throw;
    /// <summary>Clean-up of real character crops: keep the central ink (drop neighbours' fragments and specks).</summary>
    public const CharacterCleanup Cleanup = CharacterCleanup.Default;
}
