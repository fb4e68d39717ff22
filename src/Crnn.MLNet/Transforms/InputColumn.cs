using Microsoft.ML;
using Microsoft.ML.Data;

namespace Crnn.MLNet.Transforms;

/// <summary>
/// An input column as both sides of a transform see it: the estimator a <see cref="SchemaShape.Column"/> (no vector
/// size), the transformer a <see cref="DataViewSchema.Column"/>. Each transform states once what it accepts, as a rule
/// on this, and its estimator and transformer both apply that one rule, so they refuse the same columns with the same
/// "column X: expected Y, got Z" message.
/// </summary>
internal readonly record struct InputColumn(string Name, DataViewType ItemType, bool IsVector, bool IsKey, int? Size, string Description)
{
    /// <summary>Scalar (not key) of the given type.</summary>
    public bool IsScalarOf<T>() where T : DataViewType => !IsVector && !IsKey && ItemType is T;

    /// <summary>Vector (not key) of <paramref name="item"/>, of <paramref name="size"/> values when the size is known here.</summary>
    public bool IsVectorOf(DataViewType item, int? size = null) =>
        IsVector && !IsKey && ItemType.Equals(item) && (size is null || Size is null || Size == size);

    /// <summary>The column of the transformer's schema; throws naming it when it is missing.</summary>
    public static InputColumn Find(DataViewSchema schema, string name, string expected)
    {
        var c = schema.GetColumnOrNull(name)
            ?? throw Missing(name, expected, schema.Where(c => !c.IsHidden).Select(c => c.Name));
        var type = c.Type;
        bool isVector = type is VectorDataViewType;
        var item = type is VectorDataViewType v ? v.ItemType : type;
        string described = type is VectorDataViewType { Size: 0 } ? $"{type} (variable size)" : type.ToString() ?? "?";
        return new(name, item, isVector, item is KeyDataViewType, type is VectorDataViewType vs ? vs.Size : null, described);
    }

    /// <summary>The column of the estimator's schema shape; throws naming it when it is missing.</summary>
    public static InputColumn Find(SchemaShape schema, string name, string expected)
    {
        var c = schema.FirstOrDefault(c => c.Name == name);
        if (c.Name is null) throw Missing(name, expected, schema.Select(c => c.Name));
        bool isVector = c.Kind != SchemaShape.Column.VectorKind.Scalar;
        return new(name, c.ItemType, isVector, c.IsKey, c.Kind == SchemaShape.Column.VectorKind.VariableVector ? 0 : null, SchemaShapes.Describe(c));
    }

    /// <summary>Throws "column X: expected Y, got Z" unless <paramref name="accepted"/>.</summary>
    public InputColumn Require(bool accepted, string expected) =>
        accepted ? this : throw new ArgumentOutOfRangeException("inputSchema", $"column '{Name}': expected {expected}, got {Description}.");

    private static ArgumentOutOfRangeException Missing(string name, string expected, IEnumerable<string> columns) =>
        new("inputSchema", $"column '{name}': expected {expected}, but the input has no such column (columns: {string.Join(", ", columns)}).");
}
