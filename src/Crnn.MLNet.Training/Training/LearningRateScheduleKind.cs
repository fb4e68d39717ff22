namespace Crnn.MLNet.Training.Training;

/// <summary>How the learning rate moves over a run.</summary>
public enum LearningRateScheduleKind
{
    /// <summary>Linear warm-up, then cosine decay to 1% of the peak (default).</summary>
    Cosine,
    /// <summary>One-cycle (Smith 2018): cosine rise from peak/25 over 30% of the steps, cosine fall to peak/10^4.</summary>
    OneCycle,
    /// <summary>The same rate throughout.</summary>
    Constant,
}
