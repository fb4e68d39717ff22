using System.Text.Json;
using Crnn.MLNet.Model;
using Crnn.MLNet.Training.Model;

namespace Crnn.MLNet.Training.Export;

/// <summary>Builds the <see cref="CrnnModelMetadata"/> stored in an exported model from what the trainer knows.</summary>
public static class CrnnMetadataFactory
{
    private static readonly JsonSerializerOptions ArchitectureJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>
    /// Metadata for a model of architecture <paramref name="arch"/>: labels in output order, the
    /// dataset name, the normalisation <c>(pixel/255 - mean) / std</c>, optional metrics, and an
    /// architecture summary holding every <see cref="CrnnArchitecture"/> property (so the architecture
    /// can be rebuilt from it) plus <c>summary</c>, <c>parameterCount</c>, <c>macsPerImage</c>,
    /// <c>featureHeight</c>, <c>sequenceLength</c> and <c>sequenceFeatures</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The label count differs from the class count, or the result is not valid metadata.</exception>
    public static CrnnModelMetadata Create(CrnnArchitecture arch, IReadOnlyList<string> labels, string dataset, double mean, double std,
        IReadOnlyDictionary<string, double>? metrics = null, CrnnPreprocessing? preprocessing = null)
    {
        ArgumentNullException.ThrowIfNull(arch);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentException.ThrowIfNullOrWhiteSpace(dataset);
        if (labels.Count != arch.ClassCount)
            throw new ArgumentException($"{labels.Count} labels were given for a model with {arch.ClassCount} classes", nameof(labels));
        var metadata = new CrnnModelMetadata
        {
            Labels = labels.ToArray(),
            Dataset = dataset,
            Input = new CrnnInputSpec { Height = arch.InputHeight, Width = arch.InputWidth },
            Output = new CrnnOutputSpec(),
            Normalization = new CrnnNormalization { Mean = mean, Std = std },
            Preprocessing = preprocessing ?? new CrnnPreprocessing(),
            Architecture = ArchitectureSummary(arch),
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

    /// <summary>The architecture's properties as JSON values, plus derived sizes and costs.</summary>
    public static IReadOnlyDictionary<string, JsonElement> ArchitectureSummary(CrnnArchitecture arch)
    {
        var summary = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in JsonSerializer.SerializeToElement(arch, ArchitectureJson).EnumerateObject())
            summary[property.Name] = property.Value.Clone();
        summary["summary"] = JsonSerializer.SerializeToElement(arch.ToString());
        summary["parameterCount"] = JsonSerializer.SerializeToElement(ParameterCount(arch));
        summary["macsPerImage"] = JsonSerializer.SerializeToElement(arch.MultiplyAccumulates());
        summary["featureHeight"] = JsonSerializer.SerializeToElement(arch.FeatureHeight);
        summary["sequenceLength"] = JsonSerializer.SerializeToElement(arch.SequenceLength);
        summary["sequenceFeatures"] = JsonSerializer.SerializeToElement(arch.SequenceFeatures);
        return summary;
    }

    /// <summary>
    /// Trainable parameters of a <see cref="CrnnClassifier"/> of this architecture, computed from the
    /// shapes alone: bias-free 3x3 convs with batch-norm scale and shift, a bidirectional LSTM/GRU
    /// (input and recurrent weights and biases per direction and layer) and the linear classifier.
    /// </summary>
    public static long ParameterCount(CrnnArchitecture arch)
    {
        long count = 0;
        long c = 1;
        foreach (int width in arch.Widths)
        {
            for (int k = 0; k < arch.ConvsPerBlock; k++)
            {
                count += c * width * 9 + 2L * width;
                c = width;
            }
        }
        long gateRows = (long)arch.GateCount * arch.RecurrentHidden;
        long input = arch.SequenceFeatures;
        for (int layer = 0; layer < arch.RecurrentLayers; layer++)
        {
            count += 2 * (gateRows * input + gateRows * arch.RecurrentHidden + 2 * gateRows);
            input = 2L * arch.RecurrentHidden;
        }
        count += 2L * arch.RecurrentHidden * arch.ClassCount + arch.ClassCount;
        return count;
    }
}
