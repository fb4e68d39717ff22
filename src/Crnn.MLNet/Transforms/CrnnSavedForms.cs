using System.Globalization;
using System.Text;
using System.Text.Json;
using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;
using Crnn.MLNet.Transforms.SavedForm;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Crnn.MLNet.Transforms;

/// <summary>
/// How our transformers are saved by <c>mlContext.Model.Save</c>. ML.NET cannot load classes from outside ML.NET as
/// themselves, so each transformer saves a chain of ML.NET's own transformers that computes the same columns:
/// <list type="bullet">
/// <item>normaliser: <c>CopyColumns</c> → (<c>ConvertType</c> for byte pixels) → <c>CustomMapping</c> with a factory of
/// this assembly (contract <c>Crnn.Normalize.KIND.POLARITY.FRAMING.BADIMAGES.v1</c>, pixels in 0..1) →
/// <c>Expression</c> <c>(x - mean) / std</c> → <c>DropColumns</c>;</item>
/// <item>scorer: <c>CopyColumns</c> → <c>OnnxTransformer</c> (the ONNX bytes inside the zip, plus a
/// <c>crnn.mlnet.scorer</c> metadata entry recording the column names and batch size) → <c>CopyColumns</c> → <c>DropColumns</c>;</item>
/// <item>label mapping: <c>CustomMapping</c> <c>Crnn.ArgMax.v1</c> → <c>MapValue</c> (class → text) →
/// <c>MapValueToKey</c> with the labels as key data → <c>DropColumns</c>.</item>
/// </list>
/// Loaded with <c>mlContext.Model.Load</c>, the pipeline scores row by row with the same results;
/// <see cref="CrnnModel.Load(MLContext, string, out DataViewSchema)"/> puts the batched scorer back.
/// </summary>
internal static class CrnnSavedForms
{
    internal const string SourceColumn = "CrnnSource";
    internal const string PixelsColumn = "CrnnPixels";
    internal const string ErrorColumn = "CrnnError";
    internal const string ScoreTempColumn = "CrnnScore";
    internal const string ClassColumn = "CrnnClass";
    internal const string ScorerMetadataKey = "crnn.mlnet.scorer";

    /// <summary>The only input geometry the saved normaliser supports (the model contract's).</summary>
    internal const int Height = 28, Width = 28, FitBox = 20;

    public static void SaveNormalizer(CrnnNormalizingTransformer t, ModelSaveContext ctx)
    {
        var m = t.Model.Metadata;
        if (m.Input.Height != Height || m.Input.Width != Width || m.Preprocessing.FitBox != FitBox || m.Preprocessing.Centering != CrnnCentering.CenterOfMass)
            throw new NotSupportedException($"{t.Model.Source}: only models with a {Width}x{Height} input, fit box {FitBox} and centre-of-mass centring can be saved in an ML.NET model.");
        var ml = new MLContext();
        var o = t.Options;
        string kind = t.Kind switch { CrnnInputKind.Path => "Path", CrnnInputKind.Image => "Image", _ => "Pixels" };
        string contract = $"Crnn.Normalize.{kind}.{o.Polarity}.{t.Framing}.{o.BadImages}.v1";
        var est = new List<IEstimator<ITransformer>> { ml.Transforms.CopyColumns(SourceColumn, o.InputColumnName) };
        if (t.Kind == CrnnInputKind.BytePixels)
            est.Add(ml.Transforms.Conversion.ConvertType(SourceColumn, SourceColumn, DataKind.Single));
        est.Add(t.Kind switch
        {
            CrnnInputKind.Path => CustomMapping<CrnnPathSource>(ml, contract),
            CrnnInputKind.Image => CustomMapping<CrnnImageSource>(ml, contract),
            _ => CustomMapping<CrnnPixelSource>(ml, contract),
        });
        string mean = ((float)m.Normalization.Mean).ToString("R", CultureInfo.InvariantCulture);
        string std = ((float)m.Normalization.Std).ToString("R", CultureInfo.InvariantCulture);
        est.Add(ml.Transforms.Expression(o.OutputColumnName, $"x : (x - {mean}) / {std}", PixelsColumn));
        var drop = new List<string> { SourceColumn, PixelsColumn };
        if (o.BadImages == BadImageHandling.Skip && o.ErrorColumnName != ErrorColumn)
            est.Add(ml.Transforms.CopyColumns(o.ErrorColumnName, ErrorColumn));
        if (o.BadImages != BadImageHandling.Skip || o.ErrorColumnName != ErrorColumn) drop.Add(ErrorColumn);
        drop.RemoveAll(c => c == o.OutputColumnName || c == o.InputColumnName || (o.BadImages == BadImageHandling.Skip && c == o.ErrorColumnName));
        est.Add(ml.Transforms.DropColumns(drop.ToArray()));
        Save(FitEach(t.InputSchema, est), ctx);
    }

    private static IEstimator<ITransformer> CustomMapping<TSrc>(MLContext ml, string contract) where TSrc : class, new()
    {
        var factory = (CrnnNormalizeFactory<TSrc>)Activator.CreateInstance(
            typeof(CrnnNormalizeFactory<>).Assembly.GetTypes().Single(ty =>
                ty.GetCustomAttributes(typeof(CustomMappingFactoryAttributeAttribute), false)
                  .Cast<CustomMappingFactoryAttributeAttribute>().Any(a => a.ContractName == contract)))!;
        return ml.Transforms.CustomMapping(factory.GetMapping(), contract);
    }

    public static void SaveScorer(CrnnScoringTransformer t, ModelSaveContext ctx)
    {
        var ml = new MLContext();
        var o = t.Options;
        var m = t.Model.Metadata;
        string onnxInput = m.Input.Name, probs = m.Output.Probabilities, logits = m.Output.Logits;
        var config = new ScorerConfig(o.InputColumnName, o.ScoreColumnName, o.LogitsColumnName, o.BatchSize);
        byte[] bytes = OnnxMetadataAppender.Append(t.Model.ModelBytes, ScorerMetadataKey, JsonSerializer.Serialize(config, ScorerConfig.Json));
        var outputs = o.LogitsColumnName is null ? new[] { probs } : [probs, logits];
        var est = new List<IEstimator<ITransformer>>
        {
            ml.Transforms.CopyColumns(onnxInput, o.InputColumnName),
            ml.Transforms.ApplyOnnxModel(outputs, [onnxInput], new MemoryStream(bytes)),
        };
        if (o.ScoreColumnName != probs) est.Add(ml.Transforms.CopyColumns(o.ScoreColumnName, probs));
        if (o.LogitsColumnName is { } l && l != logits) est.Add(ml.Transforms.CopyColumns(l, logits));
        var drop = outputs.Prepend(onnxInput).Where(c => c != o.InputColumnName && c != o.ScoreColumnName && c != o.LogitsColumnName).Distinct().ToArray();
        est.Add(ml.Transforms.DropColumns(drop));
        // The fitted OnnxTransformer holds an ONNX Runtime session: close it once its bytes are in the zip.
        using var fitted = FitEach(t.InputSchema, est);
        Save(fitted, ctx);
    }

    public static void SaveLabelMapping(CrnnLabelMappingTransformer t, ModelSaveContext ctx)
    {
        var ml = new MLContext();
        var o = t.Options;
        var lookup = ml.Data.LoadFromEnumerable(t.Labels.Select((l, i) => new ClassLabel { Class = (uint)i, Label = l }).ToArray());
        var keys = ml.Data.LoadFromEnumerable(t.Labels.Select(l => new KeyLabel { Label = l }).ToArray());
        Save(FitEach(t.InputSchema,
        [
            ml.Transforms.CopyColumns(ScoreTempColumn, o.ScoreColumnName),
            ml.Transforms.CustomMapping(new ArgMaxFactory().GetMapping(), ArgMaxFactory.Contract),
            ml.Transforms.Conversion.MapValue(o.PredictedLabelTextColumnName, lookup, lookup.Schema[nameof(ClassLabel.Class)], lookup.Schema[nameof(ClassLabel.Label)], ClassColumn),
            ml.Transforms.Conversion.MapValueToKey(o.PredictedLabelColumnName, o.PredictedLabelTextColumnName, keyData: keys),
            ml.Transforms.DropColumns(ScoreTempColumn, ClassColumn),
        ]), ctx);
    }

    // Fitted one by one on an empty view rather than as an EstimatorChain: ML.NET's CustomMappingEstimator compares
    // column types by reference in GetOutputSchema and so refuses image columns that its transformer accepts.
    private static TransformerChain<ITransformer> FitEach(DataViewSchema schema, IReadOnlyList<IEstimator<ITransformer>> estimators)
    {
        IDataView data = new EmptyDataView(schema);
        var fitted = new ITransformer[estimators.Count];
        for (int i = 0; i < fitted.Length; i++)
        {
            fitted[i] = estimators[i].Fit(data);
            data = fitted[i].Transform(data);
        }
        return new TransformerChain<ITransformer>(fitted);
    }

    private static void Save(ITransformer stock, ModelSaveContext ctx) => ((ICanSaveModel)stock).Save(ctx);

    private sealed class ClassLabel
    {
        public uint Class { get; set; }
        public string Label { get; set; } = "";
    }

    private sealed class KeyLabel
    {
        public string Label { get; set; } = "";
    }

    internal sealed record ScorerConfig(string Input, string Score, string? Logits, int BatchSize)
    {
        public static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    }
}

/// <summary>Adds one <c>metadata_props</c> entry to a serialised ONNX model (protobuf fields concatenate).</summary>
internal static class OnnxMetadataAppender
{
    public static byte[] Append(byte[] model, string key, string value)
    {
        var entry = new MemoryStream();
        WriteString(entry, 1, key);
        WriteString(entry, 2, value);
        var result = new MemoryStream(model.Length + (int)entry.Length + 16);
        result.Write(model);
        WriteTag(result, 14, 2); // ModelProto.metadata_props = 14, length-delimited
        WriteVarint(result, (ulong)entry.Length);
        entry.Position = 0;
        entry.CopyTo(result);
        return result.ToArray();
    }

    private static void WriteString(Stream s, int field, string value)
    {
        byte[] b = Encoding.UTF8.GetBytes(value);
        WriteTag(s, field, 2);
        WriteVarint(s, (ulong)b.Length);
        s.Write(b);
    }

    private static void WriteTag(Stream s, int field, int wireType) => WriteVarint(s, (ulong)((field << 3) | wireType));

    private static void WriteVarint(Stream s, ulong v)
    {
        while (v >= 0x80) { s.WriteByte((byte)(v | 0x80)); v >>= 7; }
        s.WriteByte((byte)v);
    }
}

/// <summary>An empty data view with a given schema (to fit ML.NET's own estimators for the saved form).</summary>
internal sealed class EmptyDataView(DataViewSchema schema) : IDataView
{
    public bool CanShuffle => true;
    public DataViewSchema Schema { get; } = schema;
    public long? GetRowCount() => 0;
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(Schema, ActiveColumns.From(Schema, columnsNeeded));
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(DataViewSchema schema, bool[] active) : DataViewRowCursor
    {
        public override DataViewSchema Schema => schema;
        public override long Position => -1;
        public override long Batch => 0;
        public override bool MoveNext() => false;
        public override bool IsColumnActive(DataViewSchema.Column column) => active[column.Index];
        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId v) => throw new InvalidOperationException("no row");
        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => (ref TValue v) => throw new InvalidOperationException("no row");
    }
}
