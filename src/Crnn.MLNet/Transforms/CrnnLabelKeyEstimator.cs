using Microsoft.ML;
using Microsoft.ML.Data;

namespace Crnn.MLNet.Transforms;

/// <summary>
/// Behind <see cref="CrnnCatalog.MapLabelsToCrnnKeys(TransformsCatalog.ConversionTransforms, IReadOnlyList{string}, string, string?)"/>:
/// maps a label column onto the model's classes by label text. How the column becomes text (as is, number to text, key
/// to its value) is decided from the schema it is fitted on, in <see cref="Fit"/> and <see cref="GetOutputSchema"/>.
/// </summary>
internal sealed class CrnnLabelKeyEstimator : IEstimator<ITransformer>
{
    private const string TextColumn = "CrnnLabelText";
    private readonly MLContext _ml = new();
    private readonly IDataView _keyData;
    private readonly string _output, _input;

    public CrnnLabelKeyEstimator(IReadOnlyList<string> modelLabels, string outputColumnName, string inputColumnName)
    {
        _keyData = _ml.Data.LoadFromEnumerable(modelLabels.Select(l => new LabelText { Label = l }).ToArray());
        _output = outputColumnName;
        _input = inputColumnName;
    }

    public ITransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var column = input.Schema.GetColumnOrNull(_input)
            ?? throw new ArgumentOutOfRangeException(nameof(input), $"column '{_input}': not found in the data (columns: {string.Join(", ", input.Schema.Select(c => c.Name))}).");
        return Chain(Kind(column.Type)).Fit(input);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var column = inputSchema.FirstOrDefault(c => c.Name == _input);
        if (column.Name is null)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"column '{_input}': not found in the input schema.");
        var kind = column.IsKey ? LabelKind.Key : column.Kind != SchemaShape.Column.VectorKind.Scalar ? LabelKind.Other : Kind(column.ItemType);
        if (kind == LabelKind.Other)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"column '{_input}': expected a label as text, number or key with text key values, got {SchemaShapes.Describe(column)}.");
        return Chain(kind).GetOutputSchema(inputSchema);
    }

    private enum LabelKind { Text, Number, Key, Other }

    private LabelKind Kind(DataViewType type) => type switch
    {
        TextDataViewType => LabelKind.Text,
        KeyDataViewType => LabelKind.Key,
        NumberDataViewType => LabelKind.Number,
        _ => throw new ArgumentOutOfRangeException(nameof(type), $"column '{_input}': expected a label as text, number or key with text key values, got {type}."),
    };

    private IEstimator<ITransformer> Chain(LabelKind kind)
    {
        if (kind == LabelKind.Text) return _ml.Transforms.Conversion.MapValueToKey(_output, _input, keyData: _keyData);
        IEstimator<ITransformer> toText = kind == LabelKind.Key
            ? _ml.Transforms.Conversion.MapKeyToValue(TextColumn, _input)
            : _ml.Transforms.Conversion.ConvertType(TextColumn, _input, DataKind.String);
        return toText
            .Append(_ml.Transforms.Conversion.MapValueToKey(_output, TextColumn, keyData: _keyData))
            .Append(_ml.Transforms.DropColumns(TextColumn));
    }

    private sealed class LabelText
    {
        public string Label { get; set; } = "";
    }
}
