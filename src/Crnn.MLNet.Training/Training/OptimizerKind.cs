namespace Crnn.MLNet.Training.Training;

/// <summary>Optimiser choice.</summary>
public enum OptimizerKind
{
    /// <summary>Adam with L2 weight decay added to the gradient (PyTorch's Adam).</summary>
    Adam,
    /// <summary>Adam with decoupled weight decay (Loshchilov and Hutter).</summary>
    AdamW,
}
