namespace Crnn.MLNet.Training.Training;

/// <summary>A progress report from <see cref="CrnnTrainer"/>, sent through <see cref="IProgress{T}"/>.</summary>
/// <param name="Phase">What is running.</param>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Maximum epochs of the run.</param>
/// <param name="Batch">Batches done in this phase.</param>
/// <param name="Batches">Batches in this phase.</param>
/// <param name="Loss">Running mean loss of this phase.</param>
/// <param name="Accuracy">Running accuracy of this phase.</param>
/// <param name="ImagesPerSecond">Throughput of this phase so far.</param>
/// <param name="Elapsed">Time since the run (or resume) started.</param>
/// <param name="Remaining">Estimate of the time left if the run uses all its epochs.</param>
/// <param name="Record">The finished epoch's record, with <see cref="TrainingPhase.EpochEnd"/>.</param>
public sealed record TrainingProgress(TrainingPhase Phase, int Epoch, int Epochs, int Batch, int Batches, double Loss,
    double Accuracy, double ImagesPerSecond, TimeSpan Elapsed, TimeSpan Remaining, EpochRecord? Record = null);
