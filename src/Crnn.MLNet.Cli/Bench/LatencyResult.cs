namespace Crnn.MLNet.Cli.Bench;

/// <summary>Single-image latency over <paramref name="Samples"/> timed predictions.</summary>
internal sealed record LatencyResult(int Samples, double MedianMicroseconds, double P99Microseconds, double Accuracy);
