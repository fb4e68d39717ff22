using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;
using Crnn.MLNet.Transforms.SavedForm;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace Crnn.MLNet.Transforms;

/// <summary>Kinds of input the normaliser reads.</summary>
internal enum CrnnInputKind { Path, Image, FloatPixels, BytePixels }

/// <summary>
/// Turns handwriting images (paths, <see cref="MLImage"/>s or pixel vectors) into the CRNN model's normalised input
/// (see <see cref="HandwritingNormalizer"/>). Row by row; thread-safe (each cursor has its own scratch buffers).
/// Saved by <c>mlContext.Model.Save</c> as ML.NET's own transforms (a custom mapping and an expression), see <see cref="CrnnModel"/>.
/// </summary>
public sealed class CrnnNormalizingTransformer : CrnnRowToRowTransformer
{
    internal CrnnNormalizingTransformer(CrnnOnnxModel model, CrnnNormalizerOptions options, DataViewSchema inputSchema)
    {
        Model = model;
        Options = options;
        InputSchema = inputSchema;
        Kind = CheckInput(inputSchema, options.InputColumnName, model);
    }

    internal CrnnOnnxModel Model { get; }
    public CrnnNormalizerOptions Options { get; }
    internal DataViewSchema InputSchema { get; }
    internal CrnnInputKind Kind { get; }

    /// <summary>The framing used for this transformer's input kind.</summary>
    public CharacterFraming Framing => Options.Framing ?? (Kind is CrnnInputKind.FloatPixels or CrnnInputKind.BytePixels ? CharacterFraming.None : CharacterFraming.Fit);

    private protected override CrnnRowMapper CreateMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private protected override void SaveAsStock(ModelSaveContext ctx) => CrnnSavedForms.SaveNormalizer(this, ctx);

    internal static string Expected(CrnnOnnxModel model) =>
        $"text (image path), Image (MLImage) or Vector<Single|Byte, {model.InputSize}> ({model.InputWidth}x{model.InputHeight} pixels, 0..255)";

    /// <summary>The one input rule of the normaliser, for its estimator and transformer alike: the kind of input, or an error.</summary>
    internal static CrnnInputKind CheckInput(InputColumn c, CrnnOnnxModel model)
    {
        CrnnInputKind? kind = c.IsScalarOf<TextDataViewType>() ? CrnnInputKind.Path
            : c.IsScalarOf<ImageDataViewType>() ? CrnnInputKind.Image
            : c.IsVectorOf(NumberDataViewType.Single, model.InputSize) ? CrnnInputKind.FloatPixels
            : c.IsVectorOf(NumberDataViewType.Byte, model.InputSize) ? CrnnInputKind.BytePixels
            : null;
        c.Require(kind is not null, Expected(model));
        return kind!.Value;
    }

    internal static CrnnInputKind CheckInput(DataViewSchema schema, string name, CrnnOnnxModel model) =>
        CheckInput(InputColumn.Find(schema, name, Expected(model)), model);

    private sealed class Mapper : CrnnRowMapper
    {
        private readonly CrnnNormalizingTransformer _parent;
        private readonly CrnnInputKind _kind;
        private readonly int _inputIndex;
        private readonly DataViewSchema.DetachedColumn[] _added;

        public Mapper(CrnnNormalizingTransformer parent, DataViewSchema inputSchema) : base(inputSchema)
        {
            _parent = parent;
            _kind = CheckInput(inputSchema, parent.Options.InputColumnName, parent.Model);
            if (_kind != parent.Kind)
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"column '{parent.Options.InputColumnName}': expected {parent.InputSchema[parent.Options.InputColumnName].Type} as when fitted, got {inputSchema[parent.Options.InputColumnName].Type}.");
            _inputIndex = inputSchema[parent.Options.InputColumnName].Index;
            var cols = new List<DataViewSchema.DetachedColumn>
            {
                new(parent.Options.OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, parent.Model.InputSize)),
            };
            if (parent.Options.BadImages == BadImageHandling.Skip)
                cols.Add(new(parent.Options.ErrorColumnName, TextDataViewType.Instance));
            _added = cols.ToArray();
        }

        public override DataViewSchema.DetachedColumn[] AddedColumns => _added;

        public override IEnumerable<DataViewSchema.Column> Dependencies(Func<int, bool> activeAdded)
        {
            for (int i = 0; i < _added.Length; i++)
                if (activeAdded(i)) return [InputSchema[_inputIndex]];
            return [];
        }

        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> activeAdded, out Action? disposer)
        {
            disposer = null;
            var getters = new Delegate?[_added.Length];
            if (!Enumerable.Range(0, _added.Length).Any(activeAdded)) return getters;
            var state = new RowState(_parent, _kind, input, input.Schema[_inputIndex]);
            if (activeAdded(0)) getters[0] = (ValueGetter<VBuffer<float>>)state.GetOutput;
            if (_added.Length > 1 && activeAdded(1)) getters[1] = (ValueGetter<ReadOnlyMemory<char>>)state.GetError;
            return getters;
        }
    }

    /// <summary>Computes one row's normalised input once per position; owns the per-cursor scratch buffers.</summary>
    private sealed class RowState
    {
        private readonly CrnnNormalizingTransformer _parent;
        private readonly DataViewRow _row;
        private readonly string _column;
        private readonly HandwritingNormalizer _normalizer;
        private readonly float[] _output;
        private readonly Action _compute;
        private long _position = -1;
        private string _error = "";

        public RowState(CrnnNormalizingTransformer parent, CrnnInputKind kind, DataViewRow row, DataViewSchema.Column column)
        {
            _parent = parent;
            _row = row;
            _column = column.Name;
            _normalizer = new HandwritingNormalizer(parent.Model.Metadata, parent.Options.Polarity, parent.Framing, parent.Options.Cleanup);
            _output = new float[parent.Model.InputSize];
            int w = parent.Model.InputWidth, h = parent.Model.InputHeight;
            var input = new ImageInput(parent.Options.MaxImagePixels);
            switch (kind)
            {
                case CrnnInputKind.Path:
                {
                    var get = row.GetGetter<ReadOnlyMemory<char>>(column);
                    ReadOnlyMemory<char> path = default;
                    _compute = () =>
                    {
                        get(ref path);
                        input.Character(_normalizer, path.ToString(), Where, _output);
                    };
                    break;
                }
                case CrnnInputKind.Image:
                {
                    var get = row.GetGetter<MLImage>(column);
                    MLImage? image = null;
                    _compute = () =>
                    {
                        get(ref image!);
                        input.Character(_normalizer, image, Where, _output);
                    };
                    break;
                }
                case CrnnInputKind.FloatPixels:
                {
                    var get = row.GetGetter<VBuffer<float>>(column);
                    VBuffer<float> buffer = default;
                    var dense = new float[parent.Model.InputSize];
                    _compute = () =>
                    {
                        get(ref buffer);
                        buffer.CopyTo(dense);
                        _normalizer.Normalize(dense, w, h, _output);
                    };
                    break;
                }
                default:
                {
                    var get = row.GetGetter<VBuffer<byte>>(column);
                    VBuffer<byte> buffer = default;
                    var dense = new byte[parent.Model.InputSize];
                    _compute = () =>
                    {
                        get(ref buffer);
                        buffer.CopyTo(dense);
                        _normalizer.Normalize(dense, w, h, _output);
                    };
                    break;
                }
            }
        }

        private string Where => $"column '{_column}', row {_row.Position}";

        private void Ensure()
        {
            long pos = _row.Position;
            if (pos == _position) return;
            _error = "";
            try
            {
                _compute();
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException or IOException or InvalidOperationException or NotSupportedException)
            {
                if (_parent.Options.BadImages == BadImageHandling.Throw) throw ImageInput.Located(e, Where);
                _error = e.Message;
                Array.Fill(_output, float.NaN);
            }
            _position = pos;
        }

        public void GetOutput(ref VBuffer<float> dst)
        {
            Ensure();
            var editor = VBufferEditor.Create(ref dst, _output.Length);
            _output.CopyTo(editor.Values);
            dst = editor.Commit();
        }

        public void GetError(ref ReadOnlyMemory<char> dst)
        {
            Ensure();
            dst = _error.AsMemory();
        }
    }
}

/// <summary>Estimator of <see cref="CrnnNormalizingTransformer"/>: nothing to learn, <see cref="Fit"/> checks the schema.</summary>
public sealed class CrnnNormalizingEstimator : IEstimator<CrnnNormalizingTransformer>
{
    internal CrnnNormalizingEstimator(CrnnOnnxModel model, CrnnNormalizerOptions options)
    {
        Model = model;
        Options = options;
    }

    internal CrnnOnnxModel Model { get; }
    public CrnnNormalizerOptions Options { get; }

    public CrnnNormalizingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new CrnnNormalizingTransformer(Model, Options, input.Schema);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CrnnNormalizingTransformer.CheckInput(InputColumn.Find(inputSchema, Options.InputColumnName, CrnnNormalizingTransformer.Expected(Model)), Model);
        var added = new List<SchemaShape.Column>
        {
            SchemaShapes.Column(Options.OutputColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false),
        };
        if (Options.BadImages == BadImageHandling.Skip)
            added.Add(SchemaShapes.Column(Options.ErrorColumnName, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false));
        return SchemaShapes.With(inputSchema, added.ToArray());
    }
}
