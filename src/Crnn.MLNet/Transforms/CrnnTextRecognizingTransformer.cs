using Crnn.MLNet.Decoding;
using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;
using Crnn.MLNet.Transforms.SavedForm;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace Crnn.MLNet.Transforms;

/// <summary>
/// Reads lines of handwriting in an image column with a CRNN line (CTC) model: adds the text, its confidence and the
/// per-character alternatives (see <see cref="CrnnTextTransformOptions"/>).
/// </summary>
/// <remarks>
/// <para>Lines have different widths, so this transformer runs its own ONNX Runtime session, one line per run, row by
/// row; its saved form does the same with ML.NET's <c>OnnxTransformer</c> (batch 1, the width from the length of the
/// line's pixel vector). For batched reading of many files use <see cref="Recognition.CrnnTextRecognizer"/>.</para>
/// <para>Thread safety: the transformer and its data views may be used from several threads at once; each cursor has
/// its own scratch buffers. A bad image throws an <see cref="InvalidDataException"/> naming the file or the row.</para>
/// <para><c>mlContext.Model.Save</c> stores it as ML.NET's own transformers with the line model inside the zip (see
/// <see cref="CrnnModel"/>); loaded back, it reads the same texts.</para>
/// </remarks>
public sealed class CrnnTextRecognizingTransformer : CrnnRowToRowTransformer, IDisposable
{
    private readonly bool _ownsModel;

    internal CrnnTextRecognizingTransformer(CrnnLineOnnxModel model, CrnnCtcDecoder decoder, CrnnTextTransformOptions options, DataViewSchema inputSchema, bool ownsModel)
    {
        Model = model;
        Decoder = decoder;
        Options = options;
        _ownsModel = ownsModel;
        InputSchema = inputSchema;
        IsPath = CheckInput(inputSchema, options.InputColumnName);
    }

    public CrnnLineOnnxModel Model { get; }
    public CrnnCtcDecoder Decoder { get; }
    public CrnnTextTransformOptions Options { get; }
    internal DataViewSchema InputSchema { get; }
    internal bool IsPath { get; }

    private protected override CrnnRowMapper CreateMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private protected override void SaveAsStock(ModelSaveContext ctx) => CrnnSavedForms.SaveTextRecognizer(this, ctx);

    public void Dispose()
    {
        if (_ownsModel) Model.Dispose();
    }

    internal const string Expected = "Image (MLImage) or text (image path)";

    /// <summary>The one input rule of the text recogniser, for its estimator and transformer alike: true for paths, false for images.</summary>
    internal static bool CheckInput(InputColumn c)
    {
        c.Require(c.IsScalarOf<TextDataViewType>() || c.IsScalarOf<ImageDataViewType>(), Expected);
        return c.ItemType is TextDataViewType;
    }

    internal static bool CheckInput(DataViewSchema schema, string name) => CheckInput(InputColumn.Find(schema, name, Expected));

    private sealed class Mapper : CrnnRowMapper
    {
        private readonly CrnnTextRecognizingTransformer _parent;
        private readonly int _inputIndex;
        private readonly DataViewSchema.DetachedColumn[] _added;

        public Mapper(CrnnTextRecognizingTransformer parent, DataViewSchema inputSchema) : base(inputSchema)
        {
            _parent = parent;
            bool isPath = CheckInput(inputSchema, parent.Options.InputColumnName);
            if (isPath != parent.IsPath)
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"column '{parent.Options.InputColumnName}': expected {parent.InputSchema[parent.Options.InputColumnName].Type} as when fitted, got {inputSchema[parent.Options.InputColumnName].Type}.");
            _inputIndex = inputSchema[parent.Options.InputColumnName].Index;
            var cols = new List<DataViewSchema.DetachedColumn>
            {
                new(parent.Options.TextColumnName, TextDataViewType.Instance),
                new(parent.Options.ConfidenceColumnName, NumberDataViewType.Single),
            };
            if (parent.Options.AlternativesColumnName is { } alternatives)
                cols.Add(new(alternatives, new VectorDataViewType(TextDataViewType.Instance)));
            _added = cols.ToArray();
        }

        public override DataViewSchema.DetachedColumn[] AddedColumns => _added;

        public override IEnumerable<DataViewSchema.Column> Dependencies(Func<int, bool> activeAdded) =>
            Enumerable.Range(0, _added.Length).Any(activeAdded) ? [InputSchema[_inputIndex]] : [];

        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> activeAdded, out Action? disposer)
        {
            disposer = null;
            var getters = new Delegate?[_added.Length];
            if (!Enumerable.Range(0, _added.Length).Any(activeAdded)) return getters;
            var state = new RowState(_parent, input, input.Schema[_inputIndex]);
            if (activeAdded(0)) getters[0] = (ValueGetter<ReadOnlyMemory<char>>)state.GetText;
            if (activeAdded(1)) getters[1] = (ValueGetter<float>)state.GetConfidence;
            if (_added.Length > 2 && activeAdded(2)) getters[2] = (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)state.GetAlternatives;
            return getters;
        }
    }

    /// <summary>Reads one row's line once per position; owns the per-cursor scratch buffers.</summary>
    private sealed class RowState
    {
        private readonly CrnnTextRecognizingTransformer _parent;
        private readonly DataViewRow _row;
        private readonly string _column;
        private readonly CrnnLineNormalizer _normalizer;
        private readonly Func<CrnnLineInput> _load;
        private long _position = -1;
        private CrnnTextPrediction _result = CrnnTextPrediction.NoMatch(0);

        public RowState(CrnnTextRecognizingTransformer parent, DataViewRow row, DataViewSchema.Column column)
        {
            _parent = parent;
            _row = row;
            _column = column.Name;
            _normalizer = new CrnnLineNormalizer(parent.Model.Metadata, parent.Options.Polarity, parent.Options.Cleanup);
            var input = new ImageInput(parent.Options.MaxImagePixels);
            if (column.Type is TextDataViewType)
            {
                var get = row.GetGetter<ReadOnlyMemory<char>>(column);
                ReadOnlyMemory<char> path = default;
                _load = () =>
                {
                    get(ref path);
                    return input.Line(_normalizer, path.ToString(), Where);
                };
            }
            else
            {
                var get = row.GetGetter<MLImage>(column);
                MLImage? image = null;
                _load = () =>
                {
                    get(ref image!);
                    return input.Line(_normalizer, image, Where);
                };
            }
        }

        private string Where => $"column '{_column}', row {_row.Position}";

        private void Ensure()
        {
            long pos = _row.Position;
            if (pos == _position) return;
            CrnnLineInput line;
            try
            {
                line = _load();
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException)
            {
                throw ImageInput.Located(e, Where);
            }
            var model = _parent.Model;
            int steps = model.TimeSteps(line.Width);
            var y = new float[steps * model.ClassCount];
            model.Run(line.Pixels, 1, line.Width, y);
            _result = _parent.Decoder.Decode(y, steps);
            _position = pos;
        }

        public void GetText(ref ReadOnlyMemory<char> dst)
        {
            Ensure();
            dst = _result.Text.AsMemory();
        }

        public void GetConfidence(ref float dst)
        {
            Ensure();
            dst = _result.Confidence;
        }

        public void GetAlternatives(ref VBuffer<ReadOnlyMemory<char>> dst)
        {
            Ensure();
            var chars = _result.Characters;
            var editor = VBufferEditor.Create(ref dst, chars.Count);
            for (int i = 0; i < chars.Count; i++) editor.Values[i] = chars[i].FormatAlternatives().AsMemory();
            dst = editor.Commit();
        }
    }
}

/// <summary>Estimator of <see cref="CrnnTextRecognizingTransformer"/>: nothing to learn, <see cref="Fit"/> checks the schema.</summary>
public sealed class CrnnTextRecognizingEstimator : IEstimator<CrnnTextRecognizingTransformer>
{
    private readonly bool _ownsModel;

    internal CrnnTextRecognizingEstimator(CrnnLineOnnxModel model, CrnnTextTransformOptions options, bool ownsModel)
    {
        Model = model;
        Options = options;
        _ownsModel = ownsModel;
        // Checked now: an alphabet or pattern that does not fit the model fails where the pipeline is written.
        Decoder = new CrnnCtcDecoder(model.Labels, options.Decoding);
    }

    public CrnnLineOnnxModel Model { get; }
    public CrnnTextTransformOptions Options { get; }
    public CrnnCtcDecoder Decoder { get; }

    public CrnnTextRecognizingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new CrnnTextRecognizingTransformer(Model, Decoder, Options, input.Schema, _ownsModel);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CrnnTextRecognizingTransformer.CheckInput(InputColumn.Find(inputSchema, Options.InputColumnName, CrnnTextRecognizingTransformer.Expected));
        var added = new List<SchemaShape.Column>
        {
            SchemaShapes.Column(Options.TextColumnName, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false),
            SchemaShapes.Column(Options.ConfidenceColumnName, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false),
        };
        if (Options.AlternativesColumnName is { } alternatives)
            added.Add(SchemaShapes.Column(alternatives, SchemaShape.Column.VectorKind.VariableVector, TextDataViewType.Instance, false));
        return SchemaShapes.With(inputSchema, added.ToArray());
    }
}
