using Crnn.MLNet.Model;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Crnn.MLNet.Transforms;

/// <summary>
/// Scores normalised CRNN inputs with ONNX Runtime. <see cref="Transform"/> reads <see cref="CrnnScorerOptions.BatchSize"/>
/// rows ahead, runs them as one batch and then serves them (pass-through columns of those rows are buffered), with one
/// ONNX Runtime session per transformer and buffers reused between batches. Prediction engines score row by row.
/// </summary>
/// <remarks>
/// Thread safety: the transformer and its data views may be used from several threads at once; each cursor has its own buffers.
/// Saved by <c>mlContext.Model.Save</c> as ML.NET's <c>OnnxTransformer</c> with the model inside (see <see cref="CrnnModel"/>).
/// Disposing the transformer closes the ONNX Runtime session when the transformer owns it.
/// </remarks>
public sealed class CrnnScoringTransformer : ITransformer, IDisposable
{
    private readonly bool _ownsModel;

    internal CrnnScoringTransformer(CrnnOnnxModel model, CrnnScorerOptions options, DataViewSchema inputSchema, bool ownsModel)
    {
        Model = model;
        Options = options;
        InputSchema = inputSchema;
        _ownsModel = ownsModel;
        CheckInput(inputSchema, options.InputColumnName, model);
    }

    /// <summary>The opened model (labels, metadata, session).</summary>
    public CrnnOnnxModel Model { get; }
    public CrnnScorerOptions Options { get; }
    internal DataViewSchema InputSchema { get; }

    bool ITransformer.IsRowToRowMapper => true;

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => new Mapper(this, inputSchema).OutputSchema;

    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new BatchedDataView(this, input, new Mapper(this, input.Schema));
    }

    IRowToRowMapper ITransformer.GetRowToRowMapper(DataViewSchema inputSchema) => new CrnnRowToRowMapper(new Mapper(this, inputSchema));

    void ICanSaveModel.Save(ModelSaveContext ctx) => CrnnSavedForms.SaveScorer(this, ctx);

    public void Dispose()
    {
        if (_ownsModel) Model.Dispose();
    }

    internal static void CheckInput(DataViewSchema schema, string name, CrnnOnnxModel model)
    {
        string expected = $"Vector<Single, {model.InputSize}> (a normalised {model.InputWidth}x{model.InputHeight} input)";
        var col = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"column '{name}': expected {expected}, but the input has no such column (columns: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}).");
        if (col.Type is not VectorDataViewType v || v.ItemType != NumberDataViewType.Single || v.Size != model.InputSize)
            throw new ArgumentOutOfRangeException(nameof(schema), $"column '{name}': expected {expected}, got {col.Type}{(col.Type is VectorDataViewType { Size: 0 } ? " (variable size)" : "")}.");
    }

    private DataViewSchema.Annotations SlotNames()
    {
        var b = new DataViewSchema.Annotations.Builder();
        var labels = Model.Labels.Select(l => l.AsMemory()).ToArray();
        b.Add("SlotNames", new VectorDataViewType(TextDataViewType.Instance, labels.Length),
            (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)((ref VBuffer<ReadOnlyMemory<char>> dst) => dst = new VBuffer<ReadOnlyMemory<char>>(labels.Length, labels.ToArray())));
        return b.ToAnnotations();
    }

    private sealed class Mapper : CrnnRowMapper
    {
        private readonly CrnnScoringTransformer _parent;
        private readonly DataViewSchema.DetachedColumn[] _added;

        public Mapper(CrnnScoringTransformer parent, DataViewSchema inputSchema) : base(inputSchema)
        {
            _parent = parent;
            CheckInput(inputSchema, parent.Options.InputColumnName, parent.Model);
            InputIndex = inputSchema[parent.Options.InputColumnName].Index;
            var type = new VectorDataViewType(NumberDataViewType.Single, parent.Model.ClassCount);
            var cols = new List<DataViewSchema.DetachedColumn> { new(parent.Options.ScoreColumnName, type, parent.SlotNames()) };
            if (parent.Options.LogitsColumnName is { } logits) cols.Add(new(logits, type, parent.SlotNames()));
            _added = cols.ToArray();
        }

        public int InputIndex { get; }
        public override DataViewSchema.DetachedColumn[] AddedColumns => _added;

        public override IEnumerable<DataViewSchema.Column> Dependencies(Func<int, bool> activeAdded) =>
            Enumerable.Range(0, _added.Length).Any(activeAdded) ? [InputSchema[InputIndex]] : [];

        // Row by row (prediction engines): one run per row, computed once per position.
        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> activeAdded, out Action? disposer)
        {
            disposer = null;
            var getters = new Delegate?[_added.Length];
            if (!Enumerable.Range(0, _added.Length).Any(activeAdded)) return getters;
            var model = _parent.Model;
            var getInput = input.GetGetter<VBuffer<float>>(input.Schema[InputIndex]);
            VBuffer<float> buffer = default;
            var x = new float[model.InputSize];
            var probs = new float[model.ClassCount];
            var logits = new float[_added.Length > 1 ? model.ClassCount : 0];
            long position = -1;
            // Bound once on first use and reused for every row: a prediction engine scores row after row.
            CrnnBoundRun? bound = null;
            disposer = () => bound?.Dispose();
            void Ensure()
            {
                if (input.Position == position) return;
                getInput(ref buffer);
                buffer.CopyTo(x);
                (bound ??= model.Bind(x, 1, probs, logits)).Run();
                position = input.Position;
            }
            ValueGetter<VBuffer<float>> Getter(float[] source) => (ref VBuffer<float> dst) =>
            {
                Ensure();
                var editor = VBufferEditor.Create(ref dst, source.Length);
                source.CopyTo(editor.Values);
                dst = editor.Commit();
            };
            if (activeAdded(0)) getters[0] = Getter(probs);
            if (_added.Length > 1 && activeAdded(1)) getters[1] = Getter(logits);
            return getters;
        }
    }

    /// <summary>The scored data view: its cursors read a batch of rows ahead and score them in one run.</summary>
    private sealed class BatchedDataView : IDataView
    {
        private readonly CrnnScoringTransformer _parent;
        private readonly IDataView _source;
        private readonly Mapper _mapper;

        public BatchedDataView(CrnnScoringTransformer parent, IDataView source, Mapper mapper)
        {
            _parent = parent;
            _source = source;
            _mapper = mapper;
        }

        public bool CanShuffle => _source.CanShuffle;
        public DataViewSchema Schema => _mapper.OutputSchema;
        public long? GetRowCount() => _source.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            var active = ActiveColumns.From(Schema, columnsNeeded);
            int nIn = _mapper.InputSchema.Count;
            bool scoring = false;
            for (int i = nIn; i < active.Length; i++) scoring |= active[i];
            var needed = new HashSet<int>();
            for (int i = 0; i < nIn; i++) if (active[i]) needed.Add(i);
            if (!scoring)
            {
                // Nothing to score: plain pass-through, no read-ahead.
                var plain = new CrnnMappedDataView(_source, _mapper);
                return plain.GetRowCursor(columnsNeeded, rand);
            }
            needed.Add(_mapper.InputIndex);
            var cursor = _source.GetRowCursor(needed.Select(i => _source.Schema[i]), rand);
            return new BatchCursor(_parent, this, cursor, _mapper.InputIndex, active, nIn);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
            => [GetRowCursor(columnsNeeded, rand)];
    }

    private sealed class BatchCursor : DataViewRowCursor
    {
        private readonly BatchedDataView _view;
        private readonly DataViewRowCursor _input;
        private readonly CrnnOnnxModel _model;
        private readonly bool[] _active;
        private readonly int _nIn, _batchSize, _inputSize, _classes;
        private readonly ColumnBuffer?[] _buffers;
        private readonly ValueGetter<VBuffer<float>> _getInput;
        private readonly ValueGetter<DataViewRowId> _getId;
        private readonly DataViewRowId[] _ids;
        private readonly float[] _x, _probs, _logits;
        private VBuffer<float> _row;
        private CrnnBoundRun? _full;
        private int _count, _index = -1;
        private long _position = -1;
        private bool _done;

        public BatchCursor(CrnnScoringTransformer parent, BatchedDataView view, DataViewRowCursor input, int inputIndex, bool[] active, int nIn)
        {
            _view = view;
            _input = input;
            _model = parent.Model;
            _active = active;
            _nIn = nIn;
            _batchSize = parent.Options.BatchSize;
            _inputSize = _model.InputSize;
            _classes = _model.ClassCount;
            _getInput = input.GetGetter<VBuffer<float>>(input.Schema[inputIndex]);
            _getId = input.GetIdGetter();
            _ids = new DataViewRowId[_batchSize];
            _buffers = new ColumnBuffer?[nIn];
            for (int i = 0; i < nIn; i++)
                if (active[i]) _buffers[i] = ColumnBuffer.Create(input, input.Schema[i], _batchSize);
            _x = new float[_batchSize * _inputSize];
            _probs = new float[_batchSize * _classes];
            bool wantLogits = active.Length > nIn + 1 && active[nIn + 1];
            _logits = wantLogits ? new float[_batchSize * _classes] : [];
        }

        public override DataViewSchema Schema => _view.Schema;
        public override long Position => _position;
        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (_done) return false;
            if (++_index >= _count && !FillBatch())
            {
                _done = true;
                return false;
            }
            _position++;
            return true;
        }

        private bool FillBatch()
        {
            _count = 0;
            _index = 0;
            while (_count < _batchSize && _input.MoveNext())
            {
                _getInput(ref _row);
                if (_row.Length != _inputSize)
                    throw new InvalidOperationException($"row {_input.Position}: input vector has {_row.Length} values, expected {_inputSize}.");
                _row.CopyTo(_x.AsSpan(_count * _inputSize, _inputSize));
                _getId(ref _ids[_count]);
                foreach (var b in _buffers) b?.Fill(_count);
                _count++;
            }
            if (_count == 0) return false;
            if (_count == _batchSize)
                (_full ??= _model.Bind(_x, _batchSize, _probs, _logits)).Run();
            else
                _model.Run(_x, _count, _probs, _logits);
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = _ids[_index];

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_active[column.Index]) throw new InvalidOperationException($"column '{column.Name}' is not active: ask for it when creating the cursor.");
            if (column.Index < _nIn)
                return _buffers[column.Index]!.Getter<TValue>(() => _index, column);
            float[] source = column.Index == _nIn ? _probs : _logits;
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> dst) =>
            {
                var editor = VBufferEditor.Create(ref dst, _classes);
                source.AsSpan(_index * _classes, _classes).CopyTo(editor.Values);
                dst = editor.Commit();
            };
            return ActiveColumns.Typed<TValue>(getter, column);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _input.Dispose();
                _full?.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}

/// <summary>Holds one pass-through column's values for the rows of a batch.</summary>
internal abstract class ColumnBuffer
{
    public abstract void Fill(int slot);
    public abstract ValueGetter<TValue> Getter<TValue>(Func<int> slot, DataViewSchema.Column column);

    public static ColumnBuffer Create(DataViewRow row, DataViewSchema.Column column, int size)
    {
        var type = column.Type;
        var generic = type is VectorDataViewType v
            ? typeof(VectorBuffer<>).MakeGenericType(v.ItemType.RawType)
            : typeof(ScalarBuffer<>).MakeGenericType(type.RawType);
        return (ColumnBuffer)Activator.CreateInstance(generic, row, column, size)!;
    }

    private sealed class ScalarBuffer<T> : ColumnBuffer
    {
        private readonly ValueGetter<T> _get;
        private readonly T[] _values;

        public ScalarBuffer(DataViewRow row, DataViewSchema.Column column, int size)
        {
            _get = row.GetGetter<T>(column);
            _values = new T[size];
        }

        public override void Fill(int slot) => _get(ref _values[slot]);

        public override ValueGetter<TValue> Getter<TValue>(Func<int> slot, DataViewSchema.Column column)
        {
            ValueGetter<T> g = (ref T dst) => dst = _values[slot()];
            return ActiveColumns.Typed<TValue>(g, column);
        }
    }

    private sealed class VectorBuffer<T> : ColumnBuffer
    {
        private readonly ValueGetter<VBuffer<T>> _get;
        private readonly VBuffer<T>[] _values;

        public VectorBuffer(DataViewRow row, DataViewSchema.Column column, int size)
        {
            _get = row.GetGetter<VBuffer<T>>(column);
            _values = new VBuffer<T>[size];
        }

        public override void Fill(int slot) => _get(ref _values[slot]);

        public override ValueGetter<TValue> Getter<TValue>(Func<int> slot, DataViewSchema.Column column)
        {
            ValueGetter<VBuffer<T>> g = (ref VBuffer<T> dst) => _values[slot()].CopyTo(ref dst);
            return ActiveColumns.Typed<TValue>(g, column);
        }
    }
}
