namespace Crnn.MLNet.Training.Tests.Export;

/// <summary>
/// A fact that needs the MNIST test files: it is skipped, saying why, unless the environment variable
/// <c>CRNN_DATA_DIR</c> names a folder holding <c>mnist/t10k-images-idx3-ubyte.gz</c> and
/// <c>mnist/t10k-labels-idx1-ubyte.gz</c> (CI points it at the shared datasets folder).
/// </summary>
public sealed class MnistFactAttribute : FactAttribute
{
    public MnistFactAttribute()
    {
        if (MnistTestImages.MissingReason() is { } reason) Skip = reason;
    }
}

/// <summary>The theory counterpart of <see cref="MnistFactAttribute"/>.</summary>
public sealed class MnistTheoryAttribute : TheoryAttribute
{
    public MnistTheoryAttribute()
    {
        if (MnistTestImages.MissingReason() is { } reason) Skip = reason;
    }
}
