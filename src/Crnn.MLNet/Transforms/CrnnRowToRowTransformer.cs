using Microsoft.ML;
using Microsoft.ML.Data;

namespace Crnn.MLNet.Transforms;

/// <summary>
/// What the CRNN transformers share: the output schema, <see cref="Transform"/> and the row-to-row mapper all come from
/// one mapper (so the schema checks are the same in each), and saving writes ML.NET's own transformers (see
/// <see cref="CrnnModel"/>). Not meant to be derived from outside this assembly.
/// </summary>
public abstract class CrnnRowToRowTransformer : ITransformer
{
    private protected CrnnRowToRowTransformer() { }

    /// <summary>Checks <paramref name="inputSchema"/> (errors name the column, what was expected and what it got) and maps it.</summary>
    private protected abstract CrnnRowMapper CreateMapper(DataViewSchema inputSchema);

    /// <summary>The view <see cref="Transform"/> returns; row by row unless a transformer batches.</summary>
    private protected virtual IDataView CreateView(IDataView input, CrnnRowMapper mapper) => new CrnnMappedDataView(input, mapper);

    /// <summary>Saves the stock ML.NET form (see <c>CrnnSavedForms</c>).</summary>
    private protected abstract void SaveAsStock(ModelSaveContext ctx);

    bool ITransformer.IsRowToRowMapper => true;

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return CreateMapper(inputSchema).OutputSchema;
    }

    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return CreateView(input, CreateMapper(input.Schema));
    }

    IRowToRowMapper ITransformer.GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new CrnnRowToRowMapper(CreateMapper(inputSchema));
    }

    void ICanSaveModel.Save(ModelSaveContext ctx) => SaveAsStock(ctx);
}
