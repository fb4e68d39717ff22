using Crnn.MLNet.Model;
using Crnn.MLNet.Transforms.SavedForm;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Crnn.MLNet.Transforms;

/// <summary>
/// Scores normalised CRNN inputs with ONNX Runtime. <see cref="CrnnRowToRowTransformer.Transform"/> reads <see cref="CrnnScorerOptions.BatchSize"/>
/// rows ahead, runs them as one batch and then serves them (pass-through columns of those rows are buffered), with one
/// ONNX Runtime session per transformer and buffers reused between batches. Prediction engines score row by row.
/// </summary>
/// <remarks>
/// Thread safety: the transformer and its data views may be used from several threads at once; each cursor has its own buffers.
/// Saved by <c>mlContext.Model.Save</c> as ML.NET's <c>OnnxTransformer</c> with the model inside (see <see cref="CrnnModel"/>).
/// Disposing the transformer closes the ONNX Runtime session when the transformer owns it.
/// </remarks>
public sealed class CrnnScoringTransformer : CrnnRowToRowTransformer, IDisposable
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

    private protected override CrnnRowMapper CreateMapper(DataViewSchema inputSchema) => new Mapper(this, inputSchema);

    private protected override IDataView CreateView(IDataView input, CrnnRowMapper mapper) => new BatchedDataView(this, input, (Mapper)mapper);

    private protected override void SaveAsStock(ModelSaveContext ctx) => CrnnSavedForms.SaveScorer(this, ctx);

    public void Dispose()
    {
        if (_ownsModel) Model.Dispose();
    }

    internal static string Expected(CrnnOnnxModel model) => $"Vector<Single, {model.InputSize}> (a normalised {model.InputWidth}x{model.InputHeight} input)";

    /// <summary>The one input rule of the scorer, for its estimator and transformer alike.</summary>
    internal static void CheckInput(InputColumn column, CrnnOnnxModel model) =>
        column.Require(column.IsVectorOf(NumberDataViewType.Single, model.InputSize), Expected(model));

    internal static void CheckInput(DataViewSchema schema, string name, CrnnOnnxModel model) =>
        CheckInput(InputColumn.Find(schema, name, Expected(model)), model);

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
    private sealed class BatchedDataView(CrnnScoringTransformer parent, IDataView source, Mapper mapper) : CrnnMappedDataView(source, mapper)
    {
        public override DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            var active = ActiveColumns.From(Schema, columnsNeeded);
            int nIn = mapper.InputSchema.Count;
            bool scoring = false;
            for (int i = nIn; i < active.Length; i++) scoring |= active[i];
            // Nothing to score: plain pass-through, no read-ahead.
            if (!scoring) return base.GetRowCursor(columnsNeeded, rand);
            var needed = new HashSet<int> { mapper.InputIndex };
            for (int i = 0; i < nIn; i++) if (active[i]) needed.Add(i);
            var cursor = Source.GetRowCursor(needed.Select(i => Source.Schema[i]), rand);
            return new BatchCursor(parent, this, cursor, mapper.InputIndex, active, nIn);
        }
    }

    /// <summary>
    /// Reads <see cref="CrnnScorerOptions.BatchSize"/> rows ahead and scores them in one run. With
    /// <see cref="CrnnOnnxModel.ConcurrentRuns"/> above 1 it keeps that many batches in flight, each scored on a pool
    /// thread with one intra-op thread, and serves them in order; otherwise it scores each batch on the calling thread.
    /// </summary>
    private sealed class BatchCursor : DataViewRowCursor
    {
        private readonly BatchedDataView _view;
        private readonly DataViewRowCursor _input;
        private readonly CrnnOnnxModel _model;
        private readonly bool[] _active;
        private readonly int _nIn, _batchSize, _inputSize, _classes;
        private readonly bool _concurrent;
        private readonly ValueGetter<VBuffer<float>> _getInput;
        private readonly ValueGetter<DataViewRowId> _getId;
        private readonly PendingBatch[] _batches;
        private VBuffer<float> _row;
        private int _current = -1, _index = -1;
        private long _position = -1;
        private bool _inputDone, _done;

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
            bool wantLogits = active.Length > nIn + 1 && active[nIn + 1];
            int inFlight = _model.ConcurrentRuns;
            _concurrent = inFlight > 1;
            _batches = new PendingBatch[inFlight];
            for (int b = 0; b < inFlight; b++)
            {
                var buffers = new ColumnBuffer?[nIn];
                for (int i = 0; i < nIn; i++)
                    if (active[i]) buffers[i] = ColumnBuffer.Create(input, input.Schema[i], _batchSize);
                _batches[b] = new PendingBatch(_batchSize, _inputSize, _classes, wantLogits, buffers);
            }
        }

        public override DataViewSchema Schema => _view.Schema;
        public override long Position => _position;
        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (_done) return false;
            if (_current < 0)
            {
                // First row: put every batch in flight.
                foreach (var b in _batches) Start(b);
                _current = 0;
                _index = 0;
                Finish(_batches[0]);
            }
            else if (++_index >= _batches[_current].Count)
            {
                // This batch is served: read the next one into it and start it, then serve the oldest one in flight.
                Start(_batches[_current]);
                _current = (_current + 1) % _batches.Length;
                _index = 0;
                Finish(_batches[_current]);
            }
            if (_index >= _batches[_current].Count)
            {
                _done = true;
                return false;
            }
            _position++;
            return true;
        }

        /// <summary>Reads up to a batch of rows into <paramref name="b"/> and starts scoring it (Count 0: no rows left).</summary>
        private void Start(PendingBatch b)
        {
            b.Count = 0;
            while (!_inputDone && b.Count < _batchSize)
            {
                if (!_input.MoveNext())
                {
                    _inputDone = true;
                    break;
                }
                _getInput(ref _row);
                if (_row.Length != _inputSize)
                    throw new InvalidOperationException($"row {_input.Position}: input vector has {_row.Length} values, expected {_inputSize}.");
                _row.CopyTo(b.X.AsSpan(b.Count * _inputSize, _inputSize));
                _getId(ref b.Ids[b.Count]);
                foreach (var c in b.Buffers) c?.Fill(b.Count);
                b.Count++;
            }
            if (b.Count == 0) return;
            if (!_concurrent)
            {
                Score(b, concurrent: false);
                return;
            }
            if (b.Count == _batchSize) b.Full ??= _model.BindConcurrent(b.X, _batchSize, b.Probs, b.Logits);
            b.Scoring = Task.Run(() => Score(b, concurrent: true));
        }

        private void Score(PendingBatch b, bool concurrent)
        {
            if (b.Count == _batchSize)
                (b.Full ??= _model.Bind(b.X, _batchSize, b.Probs, b.Logits)).Run();
            else if (concurrent)
                _model.RunConcurrent(b.X, b.Count, b.Probs, b.Logits);
            else
                _model.Run(b.X, b.Count, b.Probs, b.Logits);
        }

        /// <summary>Waits until <paramref name="b"/> is scored; a failed run throws here, on the cursor's thread.</summary>
        private static void Finish(PendingBatch b)
        {
            if (b.Scoring is not { } scoring) return;
            b.Scoring = null;
            scoring.GetAwaiter().GetResult();
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = _batches[_current].Ids[_index];

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_active[column.Index]) throw new InvalidOperationException($"column '{column.Name}' is not active: ask for it when creating the cursor.");
            if (column.Index < _nIn)
            {
                // One getter per batch buffer; the row's batch picks which one answers.
                var perBatch = _batches.Select(b => b.Buffers[column.Index]!.Getter<TValue>(() => _index, column)).ToArray();
                if (perBatch.Length == 1) return perBatch[0];
                return (ref TValue value) => perBatch[_current](ref value);
            }
            bool probabilities = column.Index == _nIn;
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> dst) =>
            {
                var b = _batches[_current];
                var editor = VBufferEditor.Create(ref dst, _classes);
                (probabilities ? b.Probs : b.Logits).AsSpan(_index * _classes, _classes).CopyTo(editor.Values);
                dst = editor.Commit();
            };
            return ActiveColumns.Typed<TValue>(getter, column);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                // Runs in flight write into the batches' pinned arrays: let them end before unpinning.
                foreach (var b in _batches)
                {
                    try { Finish(b); }
                    catch (Exception) { /* the cursor is being abandoned; its failure no longer has a reader */ }
                    b.Full?.Dispose();
                }
                _input.Dispose();
            }
            base.Dispose(disposing);
        }

        /// <summary>One batch's rows: inputs, outputs, row ids, pass-through values, and its run while in flight.</summary>
        private sealed class PendingBatch(int size, int inputSize, int classes, bool wantLogits, ColumnBuffer?[] buffers)
        {
            public readonly float[] X = new float[size * inputSize];
            public readonly float[] Probs = new float[size * classes];
            public readonly float[] Logits = wantLogits ? new float[size * classes] : [];
            public readonly DataViewRowId[] Ids = new DataViewRowId[size];
            public readonly ColumnBuffer?[] Buffers = buffers;
            public int Count;
            public CrnnBoundRun? Full;
            public Task? Scoring;
        }
    }
}

/// <summary>Estimator of <see cref="CrnnScoringTransformer"/>: nothing to learn, <see cref="Fit"/> checks the schema.</summary>
public sealed class CrnnScoringEstimator : IEstimator<CrnnScoringTransformer>
{
    private readonly bool _ownsModel;

    internal CrnnScoringEstimator(CrnnOnnxModel model, CrnnScorerOptions options, bool ownsModel)
    {
        Model = model;
        Options = options;
        _ownsModel = ownsModel;
    }

    public CrnnOnnxModel Model { get; }
    public CrnnScorerOptions Options { get; }

    public CrnnScoringTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new CrnnScoringTransformer(Model, Options, input.Schema, _ownsModel);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CrnnScoringTransformer.CheckInput(InputColumn.Find(inputSchema, Options.InputColumnName, CrnnScoringTransformer.Expected(Model)), Model);
        var slotNames = new SchemaShape([SchemaShapes.SlotNamesAnnotation()]);
        var added = new List<SchemaShape.Column>
        {
            SchemaShapes.Column(Options.ScoreColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, slotNames),
        };
        if (Options.LogitsColumnName is { } logits)
            added.Add(SchemaShapes.Column(logits, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, slotNames));
        return SchemaShapes.With(inputSchema, added.ToArray());
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
