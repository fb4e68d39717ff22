using Crnn.MLNet.Model;
using Crnn.MLNet.Training.Lines;
using Crnn.MLNet.Training.Model;
using Google.Protobuf;

namespace Crnn.MLNet.Training.Export;

/// <summary>
/// Exports a trained <see cref="CrnnLineModel"/> to ONNX with dynamic batch and width axes: input
/// <c>[batch, 1, H, width]</c>, output <c>log_probs [batch, width / 4, classes]</c> (class 0 the CTC blank), and
/// <see cref="CrnnLineModelMetadata"/> under <see cref="CrnnModelMetadata.MetadataKey"/>. Eval-mode semantics (batch
/// norm folded, dropout omitted); the model is only read. Written atomically.
/// </summary>
public static class CrnnLineOnnxExporter
{
    /// <summary>Exports to <paramref name="path"/> atomically (complete or not at all).</summary>
    /// <exception cref="ArgumentException">The metadata is invalid or does not match the model.</exception>
    /// <exception cref="NotSupportedException">The model has a module shape the exporter cannot express.</exception>
    public static void Export(CrnnLineModel model, CrnnLineModelMetadata metadata, string path, IProgress<CrnnExportProgress>? progress = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] bytes = ExportToBytes(model, metadata, progress);
        AtomicFile.Write(path, bytes, written => progress?.Report(new CrnnExportProgress("writing", 0.7 + 0.3 * written / bytes.Length)));
        progress?.Report(new CrnnExportProgress("done", 1));
    }

    /// <summary>The ONNX model as bytes (what <see cref="Export"/> writes).</summary>
    public static byte[] ExportToBytes(CrnnLineModel model, CrnnLineModelMetadata metadata, IProgress<CrnnExportProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metadata);
        CheckMetadata(model, metadata);
        progress?.Report(new CrnnExportProgress("reading weights", 0));
        var weights = CrnnWeightReader.Read(model);
        try
        {
            var proto = CrnnLineOnnxGraph.Build(weights, metadata, (stage, f) => progress?.Report(new CrnnExportProgress(stage, 0.1 + 0.5 * f)));
            progress?.Report(new CrnnExportProgress("serialising", 0.65));
            return proto.ToByteArray();
        }
        catch (DuplicateOnnxNameException e)
        {
            throw new ArgumentException($"metadata names '{e.Name}' as a tensor name, but the exported graph already uses that name internally; choose another input/output name", nameof(metadata), e);
        }
    }

    /// <summary>Metadata for a line model trained as <paramref name="state"/> says, with optional measured figures.</summary>
    public static CrnnLineModelMetadata CreateMetadata(LineCheckpointState state, IReadOnlyDictionary<string, double>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var layout = state.Options.Synthesis.Layout;
        var metadata = new CrnnLineModelMetadata
        {
            Labels = state.LabelNames.ToArray(),
            Dataset = state.Dataset,
            Input = new CrnnLineInputSpec { Height = layout.Height, MinWidth = Math.Max(layout.MinWidth, layout.StepWidth), MaxWidth = layout.MaxWidth },
            Output = new CrnnLineOutputSpec(),
            TimeStepWidth = layout.StepWidth,
            Normalization = new CrnnNormalization { Mean = state.NormalizationMean, Std = state.NormalizationStd },
            Preprocessing = new CrnnLinePreprocessing { InkHeight = layout.InkHeight, Margin = layout.Margin },
            Architecture = CrnnMetadataFactory.ArchitectureSummary(state.Architecture),
            Metrics = metrics is null ? null : new Dictionary<string, double>(metrics, StringComparer.Ordinal),
            Producer = $"{CrnnOnnxExporter.ProducerName} {CrnnOnnxGraph.ProducerVersion()}",
        };
        try
        {
            metadata.Validate("new metadata");
        }
        catch (InvalidDataException e)
        {
            throw new ArgumentException(e.Message, e);
        }
        return metadata;
    }

    private static void CheckMetadata(CrnnLineModel model, CrnnLineModelMetadata metadata)
    {
        try
        {
            metadata.Validate("export");
        }
        catch (InvalidDataException e)
        {
            throw new ArgumentException($"the metadata is invalid: {e.Message}", nameof(metadata), e);
        }
        var arch = model.Architecture;
        if (metadata.ClassCount != arch.ClassCount)
            throw new ArgumentException($"the metadata has {metadata.Labels.Count} labels (+ blank) but the model has {arch.ClassCount} classes", nameof(metadata));
        if (metadata.Input.Height != arch.InputHeight)
            throw new ArgumentException($"the metadata's input height is {metadata.Input.Height} but the model takes {arch.InputHeight}", nameof(metadata));
        if (metadata.TimeStepWidth != model.TimeStepWidth)
            throw new ArgumentException($"the metadata's time step width is {metadata.TimeStepWidth} but the model reads {model.TimeStepWidth} columns per step", nameof(metadata));
    }
}
