namespace Crnn.MLNet.Training.Training;

/// <summary>What became NaN or infinite when a training run diverged.</summary>
public enum DivergedQuantity
{
    /// <summary>The training loss of a step.</summary>
    Loss,
    /// <summary>The total (L2) norm of a step's gradients.</summary>
    Gradient,
    /// <summary>The weights (or batch-norm statistics) at the end of an epoch, before its checkpoint.</summary>
    Weights,
}
