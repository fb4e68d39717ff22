using Crnn.MLNet.Training.Training;

namespace Crnn.MLNet.Training.Lines;

/// <summary>A progress report from <see cref="CtcLineTrainer"/>.</summary>
/// <param name="Phase">What is running.</param>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Maximum epochs.</param>
/// <param name="Batch">Batches done in this phase.</param>
/// <param name="Batches">Batches in this phase.</param>
/// <param name="Loss">Running mean CTC loss of this phase.</param>
/// <param name="LinesPerSecond">Throughput of this phase so far.</param>
/// <param name="Elapsed">Time since the run (or resume) started.</param>
/// <param name="Remaining">Estimate of the time left if all epochs run.</param>
/// <param name="Record">The finished epoch, with <see cref="TrainingPhase.EpochEnd"/>.</param>
public sealed record LineTrainingProgress(TrainingPhase Phase, int Epoch, int Epochs, int Batch, int Batches, double Loss,
    double LinesPerSecond, TimeSpan Elapsed, TimeSpan Remaining, LineEpochRecord? Record = null);
