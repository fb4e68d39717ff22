using Crnn.MLNet.Training.Training;

namespace Crnn.MLNet.Cli.Commands;

/// <summary>How far a training run is, for the progress bar of <c>train</c> and <c>train-lines</c>.</summary>
internal static class TrainingFraction
{
    /// <summary>The share of the run done at a progress report (validation counts as the end of its epoch).</summary>
    public static double Of(TrainingPhase phase, int epoch, int batch, int batches, int epochs) => phase switch
    {
        TrainingPhase.Train => (epoch - 1 + (double)batch / Math.Max(1, batches)) / epochs,
        TrainingPhase.EpochEnd => (double)epoch / epochs,
        TrainingPhase.Done or TrainingPhase.Test => 1,
        _ => (epoch - 1 + 0.99) / epochs,
    };
}
