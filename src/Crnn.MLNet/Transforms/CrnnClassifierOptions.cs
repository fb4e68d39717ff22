using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;

namespace Crnn.MLNet.Transforms;

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
        CrnnSessionOptions? sessionOptions = null,
        CharacterCleanup cleanup = CrnnDefaults.Cleanup)
    {
        Normalizer = new CrnnNormalizerOptions(inputColumnName, normalizedColumnName, polarity, framing, badImages, errorColumnName, maxImagePixels, cleanup);
        Scorer = new CrnnScorerOptions(normalizedColumnName, scoreColumnName, logitsColumnName, batchSize);
        Labels = new CrnnLabelMappingOptions(scoreColumnName, predictedLabelColumnName, predictedLabelTextColumnName);
        SessionOptions = sessionOptions ?? CrnnSessionOptions.Default;
    }

    public CrnnNormalizerOptions Normalizer { get; }
    public CrnnScorerOptions Scorer { get; }
    public CrnnLabelMappingOptions Labels { get; }
    public CrnnSessionOptions SessionOptions { get; }
}
