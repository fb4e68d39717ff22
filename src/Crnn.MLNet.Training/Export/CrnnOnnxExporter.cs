using Crnn.MLNet.Model;
using Crnn.MLNet.Training.Model;
using Google.Protobuf;
using Onnx;

namespace Crnn.MLNet.Training.Export;

/// <summary>
/// Exports a trained <see cref="CrnnClassifier"/> to ONNX (TorchSharp has no ONNX export).
/// The graph has eval-mode semantics: each batch norm is folded into its convolution using the
/// running statistics, dropout is omitted. The model is only read: neither its weights nor its
/// training mode change. Input <c>[batch, 1, H, W]</c> float32 with a symbolic batch axis; outputs
/// logits and softmax probabilities <c>[batch, classes]</c>; <see cref="CrnnModelMetadata"/> JSON
/// under the metadata key <see cref="CrnnModelMetadata.MetadataKey"/>.
/// </summary>
public static class CrnnOnnxExporter
{
    /// <summary>ONNX operator set the graph uses (default domain).</summary>
    public const int OpsetVersion = 17;

    /// <summary>ONNX IR version written (IR 8 goes with opset 17).</summary>
    public const long IrVersion = 8;

    /// <summary>The <c>producer_name</c> written into exported models.</summary>
    public const string ProducerName = "Crnn.MLNet";

    /// <summary>
    /// Exports <paramref name="model"/> to <paramref name="path"/> atomically: the file appears
    /// complete or not at all, and an existing file is replaced only after the new one is fully
    /// written (a failed export leaves it intact and leaves no temporary file behind).
    /// </summary>
    /// <exception cref="ArgumentException">The metadata is invalid or does not match the model (e.g. label count vs class count).</exception>
    /// <exception cref="NotSupportedException">The model has a module shape or option the exporter cannot express.</exception>
    public static void Export(CrnnClassifier model, CrnnModelMetadata metadata, string path, IProgress<CrnnExportProgress>? progress = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] bytes = Serialize(model, metadata, progress, 0.7);
        AtomicFile.Write(path, bytes, written =>
            progress?.Report(new CrnnExportProgress("writing", 0.7 + 0.3 * written / bytes.Length)));
        progress?.Report(new CrnnExportProgress("done", 1));
    }

    /// <summary>The ONNX model as bytes (the same bytes <see cref="Export"/> writes).</summary>
    /// <inheritdoc cref="Export" path="/exception"/>
    public static byte[] ExportToBytes(CrnnClassifier model, CrnnModelMetadata metadata) =>
        Serialize(model, metadata, null, 1);

    /// <summary>Builds the ONNX model in memory.</summary>
    internal static ModelProto BuildModel(CrnnClassifier model, CrnnModelMetadata metadata, IProgress<CrnnExportProgress>? progress = null, double upTo = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metadata);
        CheckMetadata(model.Architecture, metadata);
        progress?.Report(new CrnnExportProgress("reading weights", 0));
        var weights = CrnnWeightReader.Read(model);
        try
        {
            return CrnnOnnxGraph.Build(weights, metadata,
                (stage, fraction) => progress?.Report(new CrnnExportProgress(stage, upTo * (0.1 + 0.8 * fraction))));
        }
        catch (DuplicateOnnxNameException e)
        {
            throw new ArgumentException(
                $"metadata names '{e.Name}' as a tensor name, but the exported graph already uses that name internally; choose another input/output name",
                nameof(metadata), e);
        }
    }

    private static byte[] Serialize(CrnnClassifier model, CrnnModelMetadata metadata, IProgress<CrnnExportProgress>? progress, double upTo)
    {
        var proto = BuildModel(model, metadata, progress, upTo);
        progress?.Report(new CrnnExportProgress("serialising", 0.9 * upTo));
        return proto.ToByteArray();
    }

    /// <summary>Metadata must be valid by itself and agree with the architecture it will be stored with.</summary>
    internal static void CheckMetadata(CrnnArchitecture arch, CrnnModelMetadata metadata)
    {
        try
        {
            metadata.Validate("export");
        }
        catch (InvalidDataException e)
        {
            throw new ArgumentException($"the metadata is invalid: {e.Message}", nameof(metadata), e);
        }
        if (metadata.Labels.Count != arch.ClassCount)
            throw new ArgumentException(
                $"the metadata has {metadata.Labels.Count} labels but the model has {arch.ClassCount} classes", nameof(metadata));
        if (metadata.Input.Height != arch.InputHeight || metadata.Input.Width != arch.InputWidth)
            throw new ArgumentException(
                $"the metadata's input is {metadata.Input.Height}x{metadata.Input.Width} but the model's architecture takes {arch.InputHeight}x{arch.InputWidth}", nameof(metadata));
        if (metadata.Input.Layout != "NCHW")
            throw new ArgumentException($"the metadata's input layout is '{metadata.Input.Layout}' but the exported graph takes 'NCHW'", nameof(metadata));
        string[] names = [metadata.Input.Name, metadata.Output.Logits, metadata.Output.Probabilities];
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length)
            throw new ArgumentException(
                $"the metadata's input and output names must differ, got input '{names[0]}', logits '{names[1]}', probabilities '{names[2]}'", nameof(metadata));
    }
}
