using Crnn.MLNet.Model;
using Crnn.MLNet.Transforms.SavedForm;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Crnn.MLNet.Transforms;

/// <summary>
/// Turns the score vector into ML.NET's multiclass prediction columns: <c>PredictedLabel</c>, a key whose key values
/// (the <c>KeyValues</c> annotation) are the model's labels in class order, and <c>PredictedLabelText</c>.
/// A row whose scores contain NaN (a skipped bad image) gets the missing key (0) and empty text. Thread-safe.
/// </summary>
public sealed class CrnnLabelMappingTransformer : CrnnRowToRowTransformer
{
    private readonly ReadOnlyMemory<char>[] _labels;

    internal CrnnLabelMappingTransformer(IReadOnlyList<string> labels, CrnnLabelMappingOptions options, DataViewSchema inputSchema)
    {
        Labels = labels;
        Options = options;
        InputSchema = inputSchema;
        _labels = labels.Select(l => l.AsMemory()).ToArray();
        CheckInput(inputSchema, options.ScoreColumnName, labels.Count);
    }

    /// <summary>The model's labels, in class order.</summary>
    public IReadOnlyList<string> Labels { get; }
    public CrnnLabelMappingOptions Options { get; }
    internal DataViewSchema InputSchema { get; }

    private protected override CrnnRowMapper CreateMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private protected override void SaveAsStock(ModelSaveContext ctx) => CrnnSavedForms.SaveLabelMapping(this, ctx);

    internal static string Expected(int classes) => $"Vector<Single, {classes}> (one score per model class)";

    /// <summary>The one input rule of the label mapping, for its estimator and transformer alike.</summary>
    internal static void CheckInput(InputColumn column, int classes) =>
        column.Require(column.IsVectorOf(NumberDataViewType.Single, classes), Expected(classes));

    internal static void CheckInput(DataViewSchema schema, string name, int classes) =>
        CheckInput(InputColumn.Find(schema, name, Expected(classes)), classes);

    /// <summary>The key type of <c>PredictedLabel</c> with the labels as key values.</summary>
    internal static DataViewSchema.Annotations KeyValues(ReadOnlyMemory<char>[] labels)
    {
        var b = new DataViewSchema.Annotations.Builder();
        b.Add("KeyValues", new VectorDataViewType(TextDataViewType.Instance, labels.Length), (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)((ref VBuffer<ReadOnlyMemory<char>> dst) =>
            dst = new VBuffer<ReadOnlyMemory<char>>(labels.Length, labels.ToArray())));
        return b.ToAnnotations();
    }

    private sealed class Mapper : CrnnRowMapper
    {
        private readonly CrnnLabelMappingTransformer _parent;
        private readonly DataViewSchema.DetachedColumn[] _added;
        private readonly int _scoreIndex;

        public Mapper(CrnnLabelMappingTransformer parent, DataViewSchema inputSchema) : base(inputSchema)
        {
            _parent = parent;
            CheckInput(inputSchema, parent.Options.ScoreColumnName, parent.Labels.Count);
            _scoreIndex = inputSchema[parent.Options.ScoreColumnName].Index;
            _added =
            [
                new(parent.Options.PredictedLabelColumnName, new KeyDataViewType(typeof(uint), parent.Labels.Count), KeyValues(parent._labels)),
                new(parent.Options.PredictedLabelTextColumnName, TextDataViewType.Instance),
            ];
        }

        public override DataViewSchema.DetachedColumn[] AddedColumns => _added;

        public override IEnumerable<DataViewSchema.Column> Dependencies(Func<int, bool> activeAdded) =>
            activeAdded(0) || activeAdded(1) ? [InputSchema[_scoreIndex]] : [];

        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> activeAdded, out Action? disposer)
        {
            disposer = null;
            var getters = new Delegate?[2];
            if (!activeAdded(0) && !activeAdded(1)) return getters;
            var getScore = input.GetGetter<VBuffer<float>>(input.Schema[_scoreIndex]);
            VBuffer<float> score = default;
            long position = -1;
            int best = -1;
            void Ensure()
            {
                if (input.Position == position) return;
                getScore(ref score);
                best = ArgMax(score.GetValues(), score.IsDense);
                position = input.Position;
            }
            var labels = _parent._labels;
            if (activeAdded(0)) getters[0] = (ValueGetter<uint>)((ref uint dst) => { Ensure(); dst = (uint)(best + 1); });
            if (activeAdded(1)) getters[1] = (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> dst) => { Ensure(); dst = best < 0 ? default : labels[best]; });
            return getters;
        }
    }

    /// <summary>Index of the largest score (first on ties), or -1 when any score is NaN or the vector is sparse/empty.</summary>
    internal static int ArgMax(ReadOnlySpan<float> values, bool dense) => CrnnArgMax.Of(values, dense);
}

/// <summary>Estimator of <see cref="CrnnLabelMappingTransformer"/>: nothing to learn, <see cref="Fit"/> checks the schema.</summary>
public sealed class CrnnLabelMappingEstimator : IEstimator<CrnnLabelMappingTransformer>
{
    internal CrnnLabelMappingEstimator(IReadOnlyList<string> labels, CrnnLabelMappingOptions options)
    {
        Labels = labels;
        Options = options;
    }

    public IReadOnlyList<string> Labels { get; }
    public CrnnLabelMappingOptions Options { get; }

    public CrnnLabelMappingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new CrnnLabelMappingTransformer(Labels, Options, input.Schema);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CrnnLabelMappingTransformer.CheckInput(InputColumn.Find(inputSchema, Options.ScoreColumnName, CrnnLabelMappingTransformer.Expected(Labels.Count)), Labels.Count);
        return SchemaShapes.With(inputSchema,
            SchemaShapes.Column(Options.PredictedLabelColumnName, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32, true,
                new SchemaShape([SchemaShapes.KeyValuesAnnotation()])),
            SchemaShapes.Column(Options.PredictedLabelTextColumnName, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false));
    }
}
