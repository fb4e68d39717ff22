using Crnn.MLNet.Training.Training;

namespace Crnn.MLNet.Cli;

/// <summary>Bridges a finished training run to the ONNX exporter.</summary>
internal static class ModelExport
{
    /// <summary>Writes the run's best model as ONNX; returns the path.</summary>
    public static string ExportFromResult(TrainingResult result, string path) =>
        throw new NotSupportedException("ONNX export is not wired yet; pass --no-export.");
}
