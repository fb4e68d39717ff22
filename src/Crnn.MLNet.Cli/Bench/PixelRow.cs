using Microsoft.ML;
using Microsoft.ML.Data;

namespace Crnn.MLNet.Cli.Bench;

/// <summary>An in-memory row holding one image as a pixel vector (floats 0..255), in the classifier's default input column.</summary>
internal sealed class PixelRow
{
    public float[] Image { get; set; } = [];

    /// <summary>A data view over <paramref name="pixels"/> whose column has the known size ML.NET needs for the model input.</summary>
    public static IDataView View(MLContext ml, IEnumerable<float[]> pixels, int size)
    {
        var schema = SchemaDefinition.Create(typeof(PixelRow));
        schema[nameof(Image)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        return ml.Data.LoadFromEnumerable(pixels.Select(p => new PixelRow { Image = p }), schema);
    }
}
