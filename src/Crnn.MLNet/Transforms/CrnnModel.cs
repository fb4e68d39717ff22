using System.IO.Compression;
using System.Text.Json;
using Crnn.MLNet.Model;
using Crnn.MLNet.Transforms.SavedForm;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Onnx;

namespace Crnn.MLNet.Transforms;

/// <summary>
/// Loading ML.NET models that contain CRNN transforms.
/// </summary>
/// <remarks>
/// <c>mlContext.Model.Save</c> stores a fitted CRNN pipeline as ML.NET's own transformers (the ONNX model is inside
/// the zip; see the remarks of <see cref="CrnnCatalog"/>). <c>mlContext.Model.Load</c> therefore loads it anywhere
/// ML.NET and this assembly are available, and it predicts the same, but scores one row per ONNX Runtime run.
/// <see cref="Load(MLContext, string, out DataViewSchema)"/> loads the same file and replaces each saved CRNN scorer
/// with the batched <see cref="CrnnScoringTransformer"/> again.
/// </remarks>
public static class CrnnModel
{
    /// <summary>Loads a saved pipeline and restores batched CRNN scoring. Dispose the result (if <see cref="IDisposable"/>) to close sessions.</summary>
    public static ITransformer Load(MLContext mlContext, string path, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        using var stream = File.OpenRead(path);
        return Load(mlContext, stream, out inputSchema);
    }

    /// <inheritdoc cref="Load(MLContext, string, out DataViewSchema)"/>
    public static ITransformer Load(MLContext mlContext, Stream stream, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(stream);
        RegisterAssembly(mlContext);
        var loaded = mlContext.Model.Load(stream, out inputSchema);
        return Rebuild(mlContext, loaded, inputSchema);
    }

    /// <summary>Makes the factories of the saved form known to <paramref name="mlContext"/> (needed before <c>mlContext.Model.Load</c>
    /// only if this assembly has not been loaded yet; harmless otherwise).</summary>
    public static void RegisterAssembly(MLContext mlContext) => mlContext.ComponentCatalog.RegisterAssembly(typeof(CrnnModel).Assembly);

    private static ITransformer Rebuild(MLContext ml, ITransformer t, DataViewSchema schema)
    {
        if (t is not IEnumerable<ITransformer> chain) return t;
        var items = chain.ToList();
        if (TryScorer(ml, items, schema) is { } scorer) return scorer;
        var rebuilt = new List<ITransformer>(items.Count);
        bool changed = false;
        foreach (var item in items)
        {
            var r = Rebuild(ml, item, schema);
            changed |= !ReferenceEquals(r, item);
            rebuilt.Add(r);
            schema = r.GetOutputSchema(schema);
        }
        return changed ? new TransformerChain<ITransformer>(rebuilt.ToArray()) : t;
    }

    /// <summary>
    /// A saved scorer is the chain <see cref="CrnnSavedForms.SaveScorer"/> writes — copy the input to the ONNX input,
    /// the OnnxTransformer, copies of its outputs to the score/logits columns, one drop — whose ONNX model carries our
    /// scorer metadata. Both are checked: the shape, then the metadata (a chain of the same shape around another ONNX
    /// model stays as it is).
    /// </summary>
    internal static bool HasScorerShape(IReadOnlyList<ITransformer> items) =>
        items.Count is >= 3 and <= 5
        && items[0] is ColumnCopyingTransformer
        && items[1] is OnnxTransformer
        && items[^1] is ColumnSelectingTransformer
        && items.Skip(2).Take(items.Count - 3).All(i => i is ColumnCopyingTransformer);

    private static CrnnScoringTransformer? TryScorer(MLContext ml, List<ITransformer> items, DataViewSchema schema)
    {
        if (!HasScorerShape(items)) return null;
        var onnx = (OnnxTransformer)items[1];
        byte[]? bytes = OnnxBytes(ml, onnx);
        if (bytes is null) return null;
        CrnnOnnxModel model;
        try
        {
            model = CrnnOnnxModel.FromBytes(bytes, "saved CRNN model");
        }
        catch (InvalidDataException)
        {
            return null;
        }
        if (!model.CustomMetadata.TryGetValue(CrnnSavedForms.ScorerMetadataKey, out var json))
        {
            model.Dispose();
            return null;
        }
        var config = JsonSerializer.Deserialize<CrnnSavedForms.ScorerConfig>(json, CrnnSavedForms.ScorerConfig.Json)
            ?? throw new InvalidDataException($"saved CRNN scorer: metadata '{CrnnSavedForms.ScorerMetadataKey}' is empty.");
        var options = new CrnnScorerOptions(config.Input, config.Score, config.Logits, config.BatchSize);
        var scorer = new CrnnScoringTransformer(model, options, schema, ownsModel: true);
        // The saved form's OnnxTransformer is replaced, not kept: close its ONNX Runtime session now.
        onnx.Dispose();
        return scorer;
    }

    // The only public way to the bytes inside an OnnxTransformer: save it alone and read the 'OnnxModel' entry
    // (ML.NET writes a 32-bit length, then the bytes).
    private static byte[]? OnnxBytes(MLContext ml, OnnxTransformer onnx)
    {
        using var ms = new MemoryStream();
        ml.Model.Save(onnx, null, ms);
        ms.Position = 0;
        using var zip = new ZipArchive(ms, ZipArchiveMode.Read);
        var entry = zip.Entries.FirstOrDefault(e => e.Name == "OnnxModel");
        if (entry is null) return null;
        using var reader = new BinaryReader(entry.Open());
        int length = reader.ReadInt32();
        var bytes = reader.ReadBytes(length);
        return bytes.Length == length ? bytes : null;
    }
}
