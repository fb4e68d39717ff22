namespace Crnn.MLNet.Cli.Bench;

/// <summary>One throughput row of the report.</summary>
/// <param name="Images">Images scored in the timed pass.</param>
/// <param name="Seconds">Wall-clock time of the timed pass.</param>
/// <param name="Accuracy">Fraction predicted right, as a check that the step really scored the images.</param>
/// <param name="BatchSize">Images per ONNX Runtime (or TorchSharp) run; 1 for row-by-row scoring.</param>
internal sealed record ThroughputResult(int Images, double Seconds, double Accuracy, int BatchSize)
{
    public double ImagesPerSecond => Seconds > 0 ? Images / Seconds : double.NaN;
}
