using Crnn.MLNet.Training.Lines;
using Crnn.MLNet.Training.Model;

namespace Crnn.MLNet.Training.Tests.Lines;

/// <summary>Checkpoint states for export tests that need no training run.</summary>
internal static class LineTestRuns
{
    public static LineCheckpointState State(CrnnArchitecture arch, double mean = 0.13, double std = 0.31, IReadOnlyList<string>? labels = null) => new()
    {
        Dataset = "mnist",
        LabelNames = labels ?? Enumerable.Range(0, arch.ClassCount - 1).Select(i => i.ToString()).ToArray(),
        Architecture = arch,
        Options = new LineTrainingOptions(),
        NormalizationMean = mean,
        NormalizationStd = std,
    };
}
