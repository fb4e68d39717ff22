namespace Crnn.MLNet.Training.Export;

/// <summary>
/// Progress of an ONNX export, reported synchronously on the exporting thread.
/// <see cref="Fraction"/> rises from 0 to 1 across all stages.
/// </summary>
/// <param name="Stage">What is being done, e.g. <c>conv block 1</c>, <c>recurrent layer 0</c>, <c>writing</c>.</param>
/// <param name="Fraction">Overall completion in [0, 1].</param>
public readonly record struct CrnnExportProgress(string Stage, double Fraction)
{
    public override string ToString() => $"{Stage} ({Fraction:P0})";
}
