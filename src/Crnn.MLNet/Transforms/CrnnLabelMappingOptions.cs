using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;

namespace Crnn.MLNet.Transforms;

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
