using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;

namespace Crnn.MLNet.Transforms;

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
