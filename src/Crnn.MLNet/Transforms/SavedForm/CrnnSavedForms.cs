using System.Globalization;
using System.Text.Json;
using Crnn.MLNet.Model;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Crnn.MLNet.Transforms.SavedForm;

/// <summary>
/// How our transformers are saved by <c>mlContext.Model.Save</c>. ML.NET cannot load classes from outside ML.NET as
/// themselves, so each transformer saves a chain of ML.NET's own transformers that computes the same columns. Settings
/// travel as data: <c>CustomMapping</c> <c>Crnn.Settings.v1</c> → <c>Expression</c> giving the constant settings
/// column <c>CrnnConfig</c> (see <see cref="SavedConfig"/>), read by the mappings after it.
/// <list type="bullet">
/// <item>normaliser: <c>CopyColumns</c> → (<c>ConvertType</c> for byte pixels) → settings → <c>CustomMapping</c>
/// <c>Crnn.Normalize.{Path|Image|Pixels}.v2</c> (pixels in 0..1) → <c>Expression</c> <c>(x - mean) / std</c> →
/// <c>DropColumns</c>;</item>
/// <item>scorer: <c>CopyColumns</c> → <c>OnnxTransformer</c> (the ONNX bytes inside the zip, plus a
/// <c>crnn.mlnet.scorer</c> metadata entry recording the column names and batch size) → <c>CopyColumns</c> → <c>DropColumns</c>;</item>
/// <item>label mapping: <c>CustomMapping</c> <c>Crnn.ArgMax.v1</c> → <c>MapValue</c> (class → text) →
/// <c>MapValueToKey</c> with the labels as key data → <c>DropColumns</c>;</item>
/// <item>text recogniser: <c>CopyColumns</c> → settings → <c>CustomMapping</c> <c>Crnn.LineInput.{Path|Image}.v1</c>
/// (a vector whose length gives the line's width) → <c>OnnxTransformer</c> (batch 1, width from the vector) →
/// <c>CustomMapping</c> <c>Crnn.CtcDecode.v1</c> → <c>CopyColumns</c> → <c>DropColumns</c>.</item>
/// </list>
/// Loaded with <c>mlContext.Model.Load</c>, the pipeline scores row by row with the same results;
/// <see cref="CrnnModel.Load(MLContext, string, out DataViewSchema)"/> puts the batched scorer back.
/// </summary>
internal static class CrnnSavedForms
{
    internal const string SourceColumn = "CrnnSource";
    internal const string ConfigColumn = "CrnnConfig";
    internal const string ZeroColumn = "CrnnZero";
    internal const string PixelsColumn = "CrnnPixels";
    internal const string ErrorColumn = "CrnnError";
    internal const string ScoreTempColumn = "CrnnScore";
    internal const string ClassColumn = "CrnnClass";
    internal const string LinePixelsColumn = "CrnnLinePixels";
    internal const string LineScoresColumn = "CrnnLineScores";
    internal const string TextColumn = "CrnnText";
    internal const string ConfidenceColumn = "CrnnConfidence";
    internal const string AlternativesColumn = "CrnnAlternatives";
    internal const string ScorerMetadataKey = "crnn.mlnet.scorer";

    /// <summary>The only classifier input geometry the saved normaliser supports (the model contract's).</summary>
    internal const int Height = 28, Width = 28;

    /// <summary>Contract names of every custom mapping a saved CRNN pipeline may hold (a saved file depends on these).</summary>
    internal static readonly IReadOnlyList<string> Contracts =
    [
        SettingsFactory.Contract, PathCharacterFactory.Contract, ImageCharacterFactory.Contract, PixelCharacterFactory.Contract,
        ArgMaxFactory.Contract, PathLineInputFactory.Contract, ImageLineInputFactory.Contract, CtcDecodeFactory.Contract,
    ];

    public static void SaveNormalizer(CrnnNormalizingTransformer t, ModelSaveContext ctx)
    {
        var m = t.Model.Metadata;
        if (m.Input.Height != Height || m.Input.Width != Width)
            throw new NotSupportedException($"{t.Model.Source}: only models with a {Width}x{Height} input can be saved in an ML.NET model; this one takes {m.Input.Width}x{m.Input.Height}.");
        var ml = new MLContext();
        var o = t.Options;
        var est = new List<IEstimator<ITransformer>> { ml.Transforms.CopyColumns(SourceColumn, o.InputColumnName) };
        if (t.Kind == CrnnInputKind.BytePixels)
            est.Add(ml.Transforms.Conversion.ConvertType(SourceColumn, SourceColumn, DataKind.Single));
        est.AddRange(Settings(ml, CharacterConfig.From(t)));
        est.Add(t.Kind switch
        {
            CrnnInputKind.Path => ml.Transforms.CustomMapping(new PathCharacterFactory().GetMapping(), PathCharacterFactory.Contract),
            CrnnInputKind.Image => ml.Transforms.CustomMapping(new ImageCharacterFactory().GetMapping(), ImageCharacterFactory.Contract),
            _ => ml.Transforms.CustomMapping(new PixelCharacterFactory().GetMapping(), PixelCharacterFactory.Contract),
        });
        string mean = ((float)m.Normalization.Mean).ToString("R", CultureInfo.InvariantCulture);
        string std = ((float)m.Normalization.Std).ToString("R", CultureInfo.InvariantCulture);
        est.Add(ml.Transforms.Expression(o.OutputColumnName, $"x : (x - {mean}) / {std}", PixelsColumn));
        bool keepError = o.BadImages == BadImageHandling.Skip;
        if (keepError && o.ErrorColumnName != ErrorColumn)
            est.Add(ml.Transforms.CopyColumns(o.ErrorColumnName, ErrorColumn));
        est.Add(Drop(ml, [SourceColumn, ZeroColumn, ConfigColumn, PixelsColumn, ErrorColumn],
            keep: keepError ? [o.InputColumnName, o.OutputColumnName, o.ErrorColumnName] : [o.InputColumnName, o.OutputColumnName]));
        Save(FitEach(t.InputSchema, est), ctx);
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
        est.Add(Drop(ml, outputs.Prepend(onnxInput), keep: [o.InputColumnName, o.ScoreColumnName, o.LogitsColumnName]));
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

    public static void SaveTextRecognizer(CrnnTextRecognizingTransformer t, ModelSaveContext ctx)
    {
        var ml = new MLContext();
        var o = t.Options;
        var m = t.Model.Metadata;
        string onnxInput = m.Input.Name, onnxOutput = m.Output.LogProbabilities;
        var est = new List<IEstimator<ITransformer>> { ml.Transforms.CopyColumns(SourceColumn, o.InputColumnName) };
        est.AddRange(Settings(ml, LineConfig.From(t)));
        est.Add(t.IsPath
            ? ml.Transforms.CustomMapping(new PathLineInputFactory().GetMapping(), PathLineInputFactory.Contract)
            : ml.Transforms.CustomMapping(new ImageLineInputFactory().GetMapping(), ImageLineInputFactory.Contract));
        est.Add(ml.Transforms.CopyColumns(onnxInput, LinePixelsColumn));
        est.Add(ml.Transforms.ApplyOnnxModel([onnxOutput], [onnxInput], new MemoryStream(t.Model.ModelBytes)));
        est.Add(ml.Transforms.CopyColumns(LineScoresColumn, onnxOutput));
        est.Add(ml.Transforms.CustomMapping(new CtcDecodeFactory().GetMapping(), CtcDecodeFactory.Contract));
        est.Add(ml.Transforms.CopyColumns(o.TextColumnName, TextColumn));
        est.Add(ml.Transforms.CopyColumns(o.ConfidenceColumnName, ConfidenceColumn));
        if (o.AlternativesColumnName is { } alternatives) est.Add(ml.Transforms.CopyColumns(alternatives, AlternativesColumn));
        est.Add(Drop(ml, [SourceColumn, ZeroColumn, ConfigColumn, LinePixelsColumn, onnxInput, onnxOutput, LineScoresColumn, TextColumn, ConfidenceColumn, AlternativesColumn],
            keep: [o.InputColumnName, o.TextColumnName, o.ConfidenceColumnName, o.AlternativesColumnName]));
        using var fitted = FitEach(t.InputSchema, est);
        Save(fitted, ctx);
    }

    /// <summary>The constant settings column <see cref="ConfigColumn"/> (see <see cref="SavedConfig"/>).</summary>
    private static IEnumerable<IEstimator<ITransformer>> Settings(MLContext ml, SavedConfig config) =>
    [
        ml.Transforms.CustomMapping(new SettingsFactory().GetMapping(), SettingsFactory.Contract),
        // Base64 needs no escaping inside the expression's string literal.
        ml.Transforms.Expression(ConfigColumn, $"x : \"{config.Encode()}\"", ZeroColumn),
    ];

    /// <summary>Drops the temporary columns, except those the user's input or outputs are named like.</summary>
    private static IEstimator<ITransformer> Drop(MLContext ml, IEnumerable<string> temporaries, IEnumerable<string?> keep)
    {
        var kept = keep.OfType<string>().ToHashSet(StringComparer.Ordinal);
        return ml.Transforms.DropColumns(temporaries.Where(c => !kept.Contains(c)).Distinct().ToArray());
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
