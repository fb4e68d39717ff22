namespace Crnn.MLNet.Cli.Bench;

/// <summary>What a prediction engine over the classifier returns for one image.</summary>
internal sealed class ScoredRow
{
    /// <summary>The predicted class as ML.NET's key (1-based; 0 is missing).</summary>
    public uint PredictedLabel { get; set; }

    public float[] Score { get; set; } = [];
}
