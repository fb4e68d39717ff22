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
}

/// <summary>What to do with an image that cannot be read (missing, corrupt, empty, truncated, too large).</summary>
public enum BadImageHandling
{
    /// <summary>Throw, naming the file (or the row of an in-memory image).</summary>
    Throw,
    /// <summary>
    /// Keep the row: its normalised input and scores are NaN, its predicted label is missing (key 0) with empty text,
    /// and the error column says why. Drop such rows with <c>mlContext.Data.FilterRowsByMissingValues(data, "PredictedLabel")</c>.
    /// </summary>
    Skip,
}

/// <summary>Settings of the handwriting normaliser (<see cref="CrnnCatalog.NormalizeHandwriting(Microsoft.ML.TransformsCatalog, CrnnOnnxModel, CrnnNormalizerOptions)"/>).</summary>
public sealed class CrnnNormalizerOptions
{
    /// <param name="inputColumnName">Text (image file paths), <see cref="Microsoft.ML.Data.MLImage"/>, or a vector of
    /// Height x Width pixels (<see cref="float"/> in 0..255, or <see cref="byte"/>), row-major.</param>
    /// <param name="outputColumnName">Normalised model input, Vector&lt;Single, Height x Width&gt;.</param>
    /// <param name="polarity">Ink polarity; <see cref="InkPolarity.Auto"/> decides per image from its border.</param>
    /// <param name="framing">Crop/fit/centre or not; <c>null</c>: <see cref="CharacterFraming.Fit"/> for images and
    /// paths, <see cref="CharacterFraming.None"/> for pixel vectors (which are taken to be framed like the training data).</param>
    /// <param name="badImages">Throw on an unreadable image, or keep the row with the reason in <paramref name="errorColumnName"/>.</param>
    /// <param name="errorColumnName">Error column, added only when <paramref name="badImages"/> is <see cref="BadImageHandling.Skip"/>.</param>
    /// <param name="maxImagePixels">Largest image (width x height) decoded from a path; larger ones are bad images.</param>
    public CrnnNormalizerOptions(
        string inputColumnName = CrnnDefaults.InputColumnName,
        string outputColumnName = CrnnDefaults.NormalizedColumnName,
        InkPolarity polarity = CrnnDefaults.Polarity,
        CharacterFraming? framing = null,
        BadImageHandling badImages = CrnnDefaults.BadImages,
        string errorColumnName = CrnnDefaults.ErrorColumnName,
        long maxImagePixels = CrnnDefaults.MaxImagePixels)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(errorColumnName);
        if (!Enum.IsDefined(polarity)) throw new ArgumentOutOfRangeException(nameof(polarity), polarity, "unknown polarity");
        if (framing is { } f && !Enum.IsDefined(f)) throw new ArgumentOutOfRangeException(nameof(framing), framing, "unknown framing");
        if (!Enum.IsDefined(badImages)) throw new ArgumentOutOfRangeException(nameof(badImages), badImages, "unknown bad-image handling");
        if (maxImagePixels <= 0) throw new ArgumentOutOfRangeException(nameof(maxImagePixels), maxImagePixels, "must be positive");
        if (badImages == BadImageHandling.Skip && errorColumnName == outputColumnName)
            throw new ArgumentException($"the error column and the output column are both '{outputColumnName}'.", nameof(errorColumnName));
        InputColumnName = inputColumnName;
        OutputColumnName = outputColumnName;
        Polarity = polarity;
        Framing = framing;
        BadImages = badImages;
        ErrorColumnName = errorColumnName;
        MaxImagePixels = maxImagePixels;
    }

    public string InputColumnName { get; }
    public string OutputColumnName { get; }
    public InkPolarity Polarity { get; }
    public CharacterFraming? Framing { get; }
    public BadImageHandling BadImages { get; }
    public string ErrorColumnName { get; }
    public long MaxImagePixels { get; }
}

/// <summary>Settings of batched CRNN scoring (<see cref="CrnnCatalog.ScoreCrnn(Microsoft.ML.TransformsCatalog, CrnnOnnxModel, CrnnScorerOptions)"/>).</summary>
public sealed class CrnnScorerOptions
{
    /// <param name="inputColumnName">Normalised input, Vector&lt;Single, Height x Width&gt; (see the normaliser).</param>
    /// <param name="scoreColumnName">Probabilities, Vector&lt;Single, classes&gt;, slot names = the model's labels.</param>
    /// <param name="logitsColumnName">Logits column, or <c>null</c> for none.</param>
    /// <param name="batchSize">Rows per ONNX Runtime run when transforming a data view (1 to 4096).</param>
    public CrnnScorerOptions(
        string inputColumnName = CrnnDefaults.NormalizedColumnName,
        string scoreColumnName = CrnnDefaults.ScoreColumnName,
        string? logitsColumnName = CrnnDefaults.LogitsColumnName,
        int batchSize = CrnnDefaults.BatchSize)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(scoreColumnName);
        if (logitsColumnName is not null && string.IsNullOrWhiteSpace(logitsColumnName)) throw new ArgumentException("must be null or a name", nameof(logitsColumnName));
        if (logitsColumnName == scoreColumnName) throw new ArgumentException($"score and logits columns are both '{scoreColumnName}'.", nameof(logitsColumnName));
        if (batchSize is < 1 or > 4096) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "must be in 1..4096");
        InputColumnName = inputColumnName;
        ScoreColumnName = scoreColumnName;
        LogitsColumnName = logitsColumnName;
        BatchSize = batchSize;
    }

    public string InputColumnName { get; }
    public string ScoreColumnName { get; }
    public string? LogitsColumnName { get; }
    public int BatchSize { get; }
}

/// <summary>Settings of the score-to-label mapping (<see cref="CrnnCatalog.MapCrnnScoreToLabel(Microsoft.ML.TransformsCatalog, CrnnOnnxModel, CrnnLabelMappingOptions)"/>).</summary>
public sealed class CrnnLabelMappingOptions
{
    /// <param name="scoreColumnName">Probabilities, Vector&lt;Single, classes&gt; in the model's label order.</param>
    /// <param name="predictedLabelColumnName">Output key column (Key&lt;UInt32, classes&gt;, key values = labels).</param>
    /// <param name="predictedLabelTextColumnName">Output label text column.</param>
    public CrnnLabelMappingOptions(
        string scoreColumnName = CrnnDefaults.ScoreColumnName,
        string predictedLabelColumnName = CrnnDefaults.PredictedLabelColumnName,
        string predictedLabelTextColumnName = CrnnDefaults.PredictedLabelTextColumnName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scoreColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(predictedLabelColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(predictedLabelTextColumnName);
        if (predictedLabelColumnName == predictedLabelTextColumnName)
            throw new ArgumentException($"the key and text columns are both '{predictedLabelColumnName}'.", nameof(predictedLabelTextColumnName));
        ScoreColumnName = scoreColumnName;
        PredictedLabelColumnName = predictedLabelColumnName;
        PredictedLabelTextColumnName = predictedLabelTextColumnName;
    }

    public string ScoreColumnName { get; }
    public string PredictedLabelColumnName { get; }
    public string PredictedLabelTextColumnName { get; }
}

/// <summary>Settings of the whole classifier: normaliser, batched scoring and label mapping.</summary>
public sealed class CrnnClassifierOptions
{
    public CrnnClassifierOptions(
        string inputColumnName = CrnnDefaults.InputColumnName,
        InkPolarity polarity = CrnnDefaults.Polarity,
        CharacterFraming? framing = null,
        BadImageHandling badImages = CrnnDefaults.BadImages,
        long maxImagePixels = CrnnDefaults.MaxImagePixels,
        int batchSize = CrnnDefaults.BatchSize,
        string normalizedColumnName = CrnnDefaults.NormalizedColumnName,
        string scoreColumnName = CrnnDefaults.ScoreColumnName,
        string? logitsColumnName = CrnnDefaults.LogitsColumnName,
        string predictedLabelColumnName = CrnnDefaults.PredictedLabelColumnName,
        string predictedLabelTextColumnName = CrnnDefaults.PredictedLabelTextColumnName,
        string errorColumnName = CrnnDefaults.ErrorColumnName,
        CrnnSessionOptions? sessionOptions = null)
    {
        Normalizer = new CrnnNormalizerOptions(inputColumnName, normalizedColumnName, polarity, framing, badImages, errorColumnName, maxImagePixels);
        Scorer = new CrnnScorerOptions(normalizedColumnName, scoreColumnName, logitsColumnName, batchSize);
        Labels = new CrnnLabelMappingOptions(scoreColumnName, predictedLabelColumnName, predictedLabelTextColumnName);
        SessionOptions = sessionOptions ?? CrnnSessionOptions.Default;
    }

    public CrnnNormalizerOptions Normalizer { get; }
    public CrnnScorerOptions Scorer { get; }
    public CrnnLabelMappingOptions Labels { get; }
    public CrnnSessionOptions SessionOptions { get; }
}
