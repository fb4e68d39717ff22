using Crnn.MLNet.Training.Export;
using Crnn.MLNet.Training.Lines;
using Crnn.MLNet.Training.Model;
using Crnn.MLNet.Training.Training;

namespace Crnn.MLNet.Cli;

/// <summary>Bridges a checkpoint (or a finished run) to the ONNX exporter, with the run's figures in the metadata.</summary>
internal static class ModelExport
{
    /// <summary>Writes the run's best model as ONNX; returns the path.</summary>
    public static string ExportFromResult(TrainingResult result, string path, IProgress<CrnnExportProgress>? progress = null) =>
        Export(result.Model, result.State, path, progress);

    /// <summary>Loads a checkpoint's best weights and writes them as ONNX; returns the path.</summary>
    public static string ExportFromCheckpoint(string checkpointPath, string path, IProgress<CrnnExportProgress>? progress = null)
    {
        var (model, state) = TrainingCheckpoint.LoadModel(checkpointPath, best: true);
        using (model) return Export(model, state, path, progress);
    }

    /// <summary>Writes a line run's best model as ONNX; returns the path.</summary>
    public static string ExportLines(LineTrainingResult result, string path, IProgress<CrnnExportProgress>? progress = null) =>
        ExportLines(result.Model, result.State, path, progress);

    /// <summary>Loads a line checkpoint's best weights and writes them as ONNX; returns the path.</summary>
    public static string ExportLinesFromCheckpoint(string checkpointPath, string path, IProgress<CrnnExportProgress>? progress = null)
    {
        var (model, state) = LineCheckpoint.LoadModel(checkpointPath, best: true);
        using (model) return ExportLines(model, state, path, progress);
    }

    private static string ExportLines(CrnnLineModel model, LineCheckpointState state, string path, IProgress<CrnnExportProgress>? progress)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["validationLoss"] = state.BestValidationLoss,
            ["validationCharacterErrorRate"] = state.BestValidationCharacterErrorRate,
            ["validationSequenceAccuracy"] = state.BestValidationSequenceAccuracy,
        };
        if (state.Test is { } test)
        {
            metrics["testCharacterErrorRate"] = test.CharacterErrorRate;
            metrics["testSequenceAccuracy"] = test.SequenceAccuracy;
            metrics["testLines"] = test.Lines;
        }
        CrnnLineOnnxExporter.Export(model, CrnnLineOnnxExporter.CreateMetadata(state, metrics), path, progress);
        return path;
    }

    private static string Export(CrnnClassifier model, CheckpointState state, string path, IProgress<CrnnExportProgress>? progress)
    {
        var best = state.History.FirstOrDefault(h => h.Epoch == state.BestEpoch);
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["validationAccuracy"] = state.BestValidationAccuracy,
            ["validationLoss"] = state.BestValidationLoss,
        };
        // Training accuracy is measured on augmented batches while the weights change; it is indicative only.
        if (best is not null) metrics["trainAccuracy"] = best.TrainAccuracy;
        if (state.TestAccuracy is double test) metrics["testAccuracy"] = test;
        if (state.TestMacroAccuracy is double macro) metrics["testMacroAccuracy"] = macro;
        if (state.TestImages > 0) metrics["testImages"] = state.TestImages;
        var metadata = CrnnMetadataFactory.Create(state.Architecture, state.LabelNames, state.Dataset,
            state.NormalizationMean, state.NormalizationStd, metrics);
        CrnnOnnxExporter.Export(model, metadata, path, progress);
        return path;
    }
}
