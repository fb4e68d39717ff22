namespace Crnn.MLNet.Training.Training;

/// <summary>The outcome of a run (summary.json): the best epoch's validation figures and the one test evaluation.</summary>
public sealed record TrainingSummary
{
    public required string Dataset { get; init; }
    public required string Architecture { get; init; }
    public long Parameters { get; init; }
    public long MultiplyAccumulatesPerImage { get; init; }
    public int TrainImages { get; init; }
    public int ValidationImages { get; init; }
    public int TestImages { get; init; }
    public int EpochsRun { get; init; }
    public int BestEpoch { get; init; }
    public bool StoppedEarly { get; init; }
    public double BestValidationLoss { get; init; }
    public double ValidationAccuracy { get; init; }
    /// <summary>Null when the dataset has no test split.</summary>
    public double? TestAccuracy { get; init; }
    public double? TestMacroAccuracy { get; init; }
    public double? TestLoss { get; init; }
    public double TrainingSeconds { get; init; }
    public double TrainImagesPerSecond { get; init; }
    public double ComputeFraction { get; init; }
    public int Threads { get; init; }
    public int Seed { get; init; }
    /// <summary>Share of training images made into realistic crops (<see cref="AugmentationOptions.RealCrops"/>).</summary>
    public double RealCrops { get; init; }
}
