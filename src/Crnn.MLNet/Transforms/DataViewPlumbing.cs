using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Crnn.MLNet.Transforms;

/// <summary>
/// The part of a one-row-in, one-row-out mapping that differs between our transforms: the columns it adds
/// and the getters that compute them from an input row. Input columns pass through unchanged (an added
/// column with the name of an input column hides it, as in ML.NET's own transforms).
/// </summary>
internal abstract class CrnnRowMapper
{
    protected CrnnRowMapper(DataViewSchema inputSchema) => InputSchema = inputSchema;

    public DataViewSchema InputSchema { get; }

    /// <summary>The added columns, in output order after all input columns.</summary>
    public abstract DataViewSchema.DetachedColumn[] AddedColumns { get; }

    /// <summary>Input columns needed to compute the active added columns.</summary>
    public abstract IEnumerable<DataViewSchema.Column> Dependencies(Func<int, bool> activeAdded);

    /// <summary>Getters for the added columns (null where inactive). <paramref name="disposer"/> runs when the row is done.</summary>
    public abstract Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> activeAdded, out Action? disposer);

    /// <summary>Indices of the input columns a row needs for the output columns marked in <paramref name="active"/>: the active
    /// input columns themselves and what the active added columns depend on, in order.</summary>
    public int[] InputsNeeded(bool[] active)
    {
        int nIn = InputSchema.Count;
        var needed = new HashSet<int>(Dependencies(i => active[nIn + i]).Select(c => c.Index));
        for (int i = 0; i < nIn; i++) if (active[i]) needed.Add(i);
        return needed.Order().ToArray();
    }

    private DataViewSchema? _outputSchema;

    public DataViewSchema OutputSchema => _outputSchema ??= BuildOutputSchema();

    private DataViewSchema BuildOutputSchema()
    {
        var b = new DataViewSchema.Builder();
        b.AddColumns(InputSchema);
        foreach (var c in AddedColumns) b.AddColumn(c.Name, c.Type, c.Annotations);
        return b.ToSchema();
    }
}

/// <summary>
/// An <see cref="IDataView"/> that is its source plus the columns a <see cref="CrnnRowMapper"/> adds, row by row. The
/// batched scorer's view derives from it and reads ahead only when a scored column is asked for.
/// </summary>
internal class CrnnMappedDataView(IDataView source, CrnnRowMapper mapper) : IDataView
{
    protected IDataView Source { get; } = source;

    public bool CanShuffle => Source.CanShuffle;
    public DataViewSchema Schema => mapper.OutputSchema;
    public long? GetRowCount() => Source.GetRowCount();

    public virtual DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var active = ActiveColumns.From(Schema, columnsNeeded);
        var cursor = Source.GetRowCursor(mapper.InputsNeeded(active).Select(i => Source.Schema[i]), rand);
        return new CrnnMappedCursor(this, cursor, new MappedColumns(mapper, cursor, active));
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded, rand)];

    private sealed class CrnnMappedCursor(CrnnMappedDataView parent, DataViewRowCursor input, MappedColumns columns) : DataViewRowCursor
    {
        public override DataViewSchema Schema => parent.Schema;
        public override long Position => input.Position;
        public override long Batch => input.Batch;
        public override bool MoveNext() => input.MoveNext();
        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();
        public override bool IsColumnActive(DataViewSchema.Column column) => columns.IsActive(column);
        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => columns.Getter<TValue>(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                columns.Dispose();
                input.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}

/// <summary>
/// The columns of one mapped row, shared by the cursor and the row-to-row mapper's row: input columns pass through,
/// added ones come from the mapper's getters.
/// </summary>
internal sealed class MappedColumns : IDisposable
{
    private readonly CrnnRowMapper _mapper;
    private readonly DataViewRow _input;
    private readonly bool[] _active;
    private readonly Delegate?[] _getters;
    private readonly Action? _disposer;
    private readonly int _nIn;

    public MappedColumns(CrnnRowMapper mapper, DataViewRow input, bool[] active)
    {
        _mapper = mapper;
        _input = input;
        _active = active;
        _nIn = mapper.InputSchema.Count;
        _getters = mapper.CreateGetters(input, i => active[_nIn + i], out _disposer);
    }

    public bool IsActive(DataViewSchema.Column column) => _active[column.Index];

    public ValueGetter<TValue> Getter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index < _nIn) return _input.GetGetter<TValue>(_input.Schema[column.Index]);
        return ActiveColumns.Typed<TValue>(_getters[column.Index - _nIn], _mapper.OutputSchema[column.Index]);
    }

    /// <summary>Runs the getters' disposer (the input row belongs to whoever created it).</summary>
    public void Dispose() => _disposer?.Invoke();
}

/// <summary>A <see cref="CrnnRowMapper"/> as ML.NET's <see cref="IRowToRowMapper"/> (for prediction engines and chains).</summary>
internal sealed class CrnnRowToRowMapper : IRowToRowMapper
{
    private readonly CrnnRowMapper _mapper;

    public CrnnRowToRowMapper(CrnnRowMapper mapper) => _mapper = mapper;

    public DataViewSchema InputSchema => _mapper.InputSchema;
    public DataViewSchema OutputSchema => _mapper.OutputSchema;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var active = ActiveColumns.From(OutputSchema, dependingColumns);
        return _mapper.InputsNeeded(active).Select(i => InputSchema[i]).ToArray();
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        var active = ActiveColumns.From(OutputSchema, activeColumns);
        return new Row(this, input, new MappedColumns(_mapper, input, active));
    }

    private sealed class Row(CrnnRowToRowMapper parent, DataViewRow input, MappedColumns columns) : DataViewRow
    {
        public override DataViewSchema Schema => parent.OutputSchema;
        public override long Position => input.Position;
        public override long Batch => input.Batch;
        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();
        public override bool IsColumnActive(DataViewSchema.Column column) => columns.IsActive(column);
        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => columns.Getter<TValue>(column);

        protected override void Dispose(bool disposing)
        {
            if (disposing) columns.Dispose();
            base.Dispose(disposing);
        }
    }
}

internal static class ActiveColumns
{
    public static bool[] From(DataViewSchema schema, IEnumerable<DataViewSchema.Column>? columns)
    {
        var active = new bool[schema.Count];
        if (columns is null) return active;
        foreach (var c in columns)
        {
            if ((uint)c.Index >= (uint)schema.Count)
                throw new ArgumentOutOfRangeException(nameof(columns), $"column '{c.Name}' (index {c.Index}) is not in this schema.");
            active[c.Index] = true;
        }
        return active;
    }

    public static ValueGetter<TValue> Typed<TValue>(Delegate? getter, DataViewSchema.Column column)
    {
        if (getter is null) throw new InvalidOperationException($"column '{column.Name}' is not active: ask for it when creating the cursor.");
        return getter as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"column '{column.Name}': expected a getter of {column.Type.RawType.Name} ({column.Type}), got a request for {typeof(TValue).Name}.");
    }
}

/// <summary>Builds <see cref="SchemaShape"/> columns, whose constructor ML.NET keeps internal.</summary>
internal static class SchemaShapes
{
    private static readonly ConstructorInfo? s_columnCtor = typeof(SchemaShape.Column).GetConstructor(
        BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, null,
        [typeof(string), typeof(SchemaShape.Column.VectorKind), typeof(DataViewType), typeof(bool), typeof(SchemaShape)], null);

    public static SchemaShape.Column Column(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType, bool isKey, SchemaShape? annotations = null)
    {
        if (s_columnCtor is null) throw new NotSupportedException("this version of ML.NET has no SchemaShape.Column(name, kind, type, isKey, annotations) constructor.");
        return (SchemaShape.Column)s_columnCtor.Invoke([name, kind, itemType, isKey, annotations])!;
    }

    public static SchemaShape.Column KeyValuesAnnotation() =>
        Column("KeyValues", SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false);

    public static SchemaShape.Column SlotNamesAnnotation() =>
        Column("SlotNames", SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false);

    /// <summary>The shape of a schema (what ML.NET's internal <c>SchemaShape.Create</c> does), for tests and checks.</summary>
    public static SchemaShape From(DataViewSchema schema)
    {
        var cols = new List<SchemaShape.Column>();
        foreach (var c in schema)
        {
            if (c.IsHidden) continue;
            var (kind, item, isKey) = Shape(c.Type);
            var annotations = c.Annotations.Schema.Select(a => { var s = Shape(a.Type); return Column(a.Name, s.Kind, s.Item, s.IsKey); }).ToArray();
            cols.Add(Column(c.Name, kind, item, isKey, new SchemaShape(annotations)));
        }
        return new SchemaShape(cols);
    }

    private static (SchemaShape.Column.VectorKind Kind, DataViewType Item, bool IsKey) Shape(DataViewType type)
    {
        var kind = type is VectorDataViewType v ? (v.Size > 0 ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.VariableVector) : SchemaShape.Column.VectorKind.Scalar;
        var item = type is VectorDataViewType vv ? vv.ItemType : type;
        if (item is KeyDataViewType key)
        {
            DataViewType raw = key.RawType == typeof(uint) ? NumberDataViewType.UInt32 : key.RawType == typeof(ulong) ? NumberDataViewType.UInt64
                : key.RawType == typeof(ushort) ? NumberDataViewType.UInt16 : NumberDataViewType.Byte;
            return (kind, raw, true);
        }
        return (kind, item, false);
    }

    /// <summary>The input shape with <paramref name="added"/> appended (replacing columns of the same name).</summary>
    public static SchemaShape With(SchemaShape input, params SchemaShape.Column[] added)
    {
        var names = new HashSet<string>(added.Select(c => c.Name));
        return new SchemaShape(input.Where(c => !names.Contains(c.Name)).Concat(added));
    }

    public static string Describe(SchemaShape.Column c)
    {
        string item = c.IsKey ? $"Key<{c.ItemType.RawType.Name}>" : c.ItemType.ToString() ?? "?";
        return c.Kind switch
        {
            SchemaShape.Column.VectorKind.Scalar => item,
            SchemaShape.Column.VectorKind.Vector => $"Vector<{item}> (known size)",
            _ => $"Vector<{item}> (variable size)",
        };
    }
}
