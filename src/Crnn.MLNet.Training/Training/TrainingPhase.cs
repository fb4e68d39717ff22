namespace Crnn.MLNet.Training.Training;

/// <summary>What a training run is doing when it reports progress.</summary>
public enum TrainingPhase { Train, Validate, EpochEnd, Test, Done }
