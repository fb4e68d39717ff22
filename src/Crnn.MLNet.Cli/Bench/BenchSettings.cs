using Crnn.MLNet.Training.Data;

namespace Crnn.MLNet.Cli.Bench;

/// <summary>What one <c>crnn bench</c> run measures and on which data.</summary>
/// <param name="ModelPath">The CRNN ONNX model.</param>
/// <param name="Dataset">Where the test images come from (MNIST's test split by default).</param>
/// <param name="Images">Images used by every throughput step (10,000 = all of MNIST's test split).</param>
/// <param name="LatencySamples">Single-image predictions timed through the prediction engine.</param>
/// <param name="CheckpointPath">A training checkpoint of the same network for the TorchSharp row, or null to skip it.</param>
/// <param name="BatchSizes">Batch sizes tried for raw ONNX Runtime; the fastest is the reference.</param>
/// <param name="MatMulSize">Side of the square matrices multiplied to measure peak FLOP/s.</param>
internal sealed record BenchSettings(
    string ModelPath,
    DatasetRequest Dataset,
    int Images,
    int LatencySamples,
    string? CheckpointPath,
    IReadOnlyList<int> BatchSizes,
    int MatMulSize = 2048)
{
    // 1 shows what batching is worth (stock ML.NET runs the model one row at a time).
    public static readonly int[] DefaultBatchSizes = [1, 16, 32, 64, 128, 256];
}
