using Crnn.MLNet.Training.Data;

namespace Crnn.MLNet.Cli.Bench;

/// <summary>What one <c>crnn bench</c> run measures and on which data.</summary>
/// <param name="ModelPaths">The CRNN ONNX models, each measured in turn.</param>
/// <param name="Dataset">Where the test images come from (MNIST's test split by default).</param>
/// <param name="Images">Images used by every throughput step (10,000 = all of MNIST's test split).</param>
/// <param name="LatencySamples">Single-image predictions timed through the prediction engine.</param>
/// <param name="CheckpointPath">A training checkpoint of the (only) model's network for the TorchSharp row, or null to skip it.</param>
/// <param name="BatchSizes">Batch sizes tried for raw ONNX Runtime; the fastest is the reference.</param>
/// <param name="LightGbmTrainImages">Train stock ML.NET's LightGBM on this many training images as a reference row; 0: skip it.</param>
/// <param name="PeakSeconds">How long each peak kernel runs per round (three rounds).</param>
internal sealed record BenchSettings(
    IReadOnlyList<string> ModelPaths,
    DatasetRequest Dataset,
    int Images,
    int LatencySamples,
    string? CheckpointPath,
    IReadOnlyList<int> BatchSizes,
    int LightGbmTrainImages = 0,
    double PeakSeconds = 0.5)
{
    // 1 shows what batching is worth (stock ML.NET runs the model one row at a time).
    public static readonly int[] DefaultBatchSizes = [1, 16, 32, 64, 128, 256];
}
