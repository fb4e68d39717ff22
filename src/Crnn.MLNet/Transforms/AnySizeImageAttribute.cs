using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace Crnn.MLNet.Transforms;

/// <summary>
/// Marks an <see cref="MLImage"/> field or property of a row class as ML.NET's image type without a fixed size,
/// the type <c>LoadImages</c> produces. (<c>[ImageType]</c> without a size fails in ML.NET 5, and a sized
/// <c>[ImageType(h, w)]</c> only declares a nominal size.) Use it to put images of any size in an in-memory data view:
/// <code>public sealed class Row { [AnySizeImage] public MLImage Image { get; set; } }</code>
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class AnySizeImageAttribute : DataViewTypeAttribute
{
    public override bool Equals(DataViewTypeAttribute other) => other is AnySizeImageAttribute;
    public override int GetHashCode() => typeof(AnySizeImageAttribute).GetHashCode();
    public override void Register() => DataViewTypeManager.Register(new ImageDataViewType(), typeof(MLImage), this);
}
