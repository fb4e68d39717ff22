using System.Globalization;

namespace Crnn.MLNet.Training.Training;

/// <summary>
/// A training run stopped because its loss, gradients or weights became NaN or infinite. Thrown before the bad
/// values reach the weights or a checkpoint: the last checkpoint written (if any) holds the last good epoch.
/// The message is one line: where it happened, what was kept and what to try.
/// </summary>
public sealed class TrainingDivergedException : ArithmeticException
{
    public TrainingDivergedException(DivergedQuantity quantity, double value, int epoch, int step, int stepsPerEpoch, long globalStep,
        double learningRate, string? lastCheckpointPath, int lastCheckpointEpoch, string? tensorName = null)
        : base(Describe(quantity, value, epoch, step, stepsPerEpoch, globalStep, learningRate, lastCheckpointPath, lastCheckpointEpoch, tensorName))
    {
        Quantity = quantity;
        Value = value;
        Epoch = epoch;
        Step = step;
        StepsPerEpoch = stepsPerEpoch;
        GlobalStep = globalStep;
        LearningRate = learningRate;
        LastCheckpointPath = lastCheckpointPath;
        LastCheckpointEpoch = lastCheckpointPath is null ? 0 : lastCheckpointEpoch;
        TensorName = tensorName;
    }

    /// <summary>What became NaN or infinite.</summary>
    public DivergedQuantity Quantity { get; }
    /// <summary>The offending value: NaN or an infinity.</summary>
    public double Value { get; }
    /// <summary>1-based epoch.</summary>
    public int Epoch { get; }
    /// <summary>1-based step within <see cref="Epoch"/>.</summary>
    public int Step { get; }
    public int StepsPerEpoch { get; }
    /// <summary>1-based step counted from the start of the run (resumes included).</summary>
    public long GlobalStep { get; }
    /// <summary>The learning rate of that step.</summary>
    public double LearningRate { get; }
    /// <summary>The checkpoint left as it was (the last good epoch); null when none had been written yet.</summary>
    public string? LastCheckpointPath { get; }
    /// <summary>The epoch <see cref="LastCheckpointPath"/> holds; 0 when there is none.</summary>
    public int LastCheckpointEpoch { get; }
    /// <summary>For <see cref="DivergedQuantity.Weights"/>: the first weight or buffer found non-finite.</summary>
    public string? TensorName { get; }

    private static string Describe(DivergedQuantity quantity, double value, int epoch, int step, int stepsPerEpoch, long globalStep,
        double learningRate, string? lastCheckpointPath, int lastCheckpointEpoch, string? tensorName)
    {
        string what = quantity switch
        {
            DivergedQuantity.Loss => "the training loss",
            DivergedQuantity.Gradient => "the gradient norm",
            _ => tensorName is null ? "the weights" : $"the weights ({tensorName})",
        };
        // The weights are checked once an epoch's steps are done, the loss and gradients during a step.
        string when = quantity == DivergedQuantity.Weights ? "after" : "at";
        string became = double.IsNaN(value) ? "NaN" : "infinite";
        string kept = lastCheckpointPath is null
            ? "No checkpoint had been written yet"
            : $"Kept the last good checkpoint {lastCheckpointPath} (epoch {lastCheckpointEpoch}) unchanged";
        string rate = learningRate.ToString("G3", CultureInfo.InvariantCulture);
        return $"training diverged: {what} became {became} {when} epoch {epoch}, step {step}/{stepsPerEpoch} (global step {globalStep}, learning rate {rate}). " +
            $"{kept}. Try a lower learning rate, gradient clipping (or a smaller clip norm), checking the data, " +
            "and on some CPUs the numeric backend (see 'crnn info').";
    }
}
