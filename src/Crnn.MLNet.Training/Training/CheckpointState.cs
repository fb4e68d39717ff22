using Crnn.MLNet.Training.Model;

namespace Crnn.MLNet.Training.Training;

/// <summary>The JSON part of a checkpoint: everything but the tensors.</summary>
public sealed record CheckpointState
{
    public const int CurrentFormatVersion = 1;

    public int FormatVersion { get; init; } = CurrentFormatVersion;
    public required string Dataset { get; init; }
    public required IReadOnlyList<string> LabelNames { get; init; }
    public required CrnnArchitecture Architecture { get; init; }
    public required TrainingOptions Options { get; init; }
    /// <summary>Input normalisation measured on the training part: (pixel / 255 - mean) / std.</summary>
    public double NormalizationMean { get; init; }
    public double NormalizationStd { get; init; } = 1;
    public int TrainImages { get; init; }
    public int ValidationImages { get; init; }
    public int EpochsCompleted { get; init; }
    public long GlobalStep { get; init; }
    public int BestEpoch { get; init; }
    public double BestValidationLoss { get; init; } = double.MaxValue;
    public double BestValidationAccuracy { get; init; }
    public int EpochsWithoutImprovement { get; init; }
    public bool Finished { get; init; }
    public double TrainingSeconds { get; init; }
    /// <summary>Accuracy on the test split, measured once after training with the best weights.</summary>
    public double? TestAccuracy { get; init; }
    public double? TestMacroAccuracy { get; init; }
    public int TestImages { get; init; }
    public IReadOnlyList<EpochRecord> History { get; init; } = [];
}
