namespace Crnn.MLNet.Training.Data;

/// <summary>Which part of a dataset to load.</summary>
public enum DatasetSplit
{
    /// <summary>The training images (<c>train-*</c> files).</summary>
    Train,

    /// <summary>The test images (<c>test-*</c> or, as in MNIST, <c>t10k-*</c> files).</summary>
    Test,
}
