namespace Crnn.MLNet.Training.Training;

/// <summary>What one epoch did; a run's history is a list of these (history.json).</summary>
public sealed record EpochRecord
{
    public int Epoch { get; init; }
    public double LearningRate { get; init; }
    public double TrainLoss { get; init; }
    public double TrainAccuracy { get; init; }
    public double ValidationLoss { get; init; }
    public double ValidationAccuracy { get; init; }
    public double Seconds { get; init; }
    /// <summary>Training images per second (forward, backward and optimiser step included).</summary>
    public double ImagesPerSecond { get; init; }
    /// <summary>Share of the training phase spent in forward, backward and optimiser step (the rest: batching and augmentation).</summary>
    public double ComputeFraction { get; init; }
    public bool Improved { get; init; }
}
