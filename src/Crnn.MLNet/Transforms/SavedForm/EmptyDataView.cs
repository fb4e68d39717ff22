using Microsoft.ML;
using Microsoft.ML.Data;

namespace Crnn.MLNet.Transforms.SavedForm;

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
