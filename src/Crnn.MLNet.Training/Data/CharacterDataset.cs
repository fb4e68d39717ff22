namespace Crnn.MLNet.Training.Data;

/// <summary>
/// Images of single characters with their class labels, held in memory as bytes.
/// Images are upright (as in MNIST), row-major, ink bright on a dark background.
/// </summary>
public sealed class CharacterDataset
{
    public CharacterDataset(string name, byte[] images, int[] labels, int height, int width, IReadOnlyList<string> labelNames)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(labelNames);
        if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"image size must be positive, got {height}x{width}");
        if (images.LongLength != (long)labels.Length * height * width)
            throw new ArgumentException($"{name}: {images.LongLength} pixel bytes do not hold {labels.Length} images of {height}x{width}.", nameof(images));
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)labelNames.Count)
                throw new ArgumentException($"{name}: label {labels[i]} of image {i} is outside the {labelNames.Count} classes.", nameof(labels));
        Name = name;
        Images = images;
        Labels = labels;
        Height = height;
        Width = width;
        LabelNames = labelNames;
    }

    /// <summary>Dataset name, e.g. <c>mnist</c>, or the folder it came from.</summary>
    public string Name { get; }

    /// <summary><see cref="Count"/> x <see cref="Height"/> x <see cref="Width"/> pixel bytes.</summary>
    public byte[] Images { get; }

    /// <summary>Class index of each image, in [0, <see cref="ClassCount"/>).</summary>
    public int[] Labels { get; }

    public int Height { get; }
    public int Width { get; }
    public int PixelsPerImage => Height * Width;

    /// <summary>Text of each class (a character such as "7" or "a").</summary>
    public IReadOnlyList<string> LabelNames { get; }

    public int Count => Labels.Length;
    public int ClassCount => LabelNames.Count;

    /// <summary>The pixels of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Image(int index) => Images.AsSpan(index * PixelsPerImage, PixelsPerImage);

    /// <summary>Number of images of each class.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[ClassCount];
        foreach (int l in Labels) counts[l]++;
        return counts;
    }

    /// <summary>A new dataset holding the given images, in the given order.</summary>
    public CharacterDataset Subset(IReadOnlyList<int> indices, string? name = null)
    {
        var images = new byte[(long)indices.Count * PixelsPerImage];
        var labels = new int[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            Image(indices[i]).CopyTo(images.AsSpan(i * PixelsPerImage, PixelsPerImage));
            labels[i] = Labels[indices[i]];
        }
        return new CharacterDataset(name ?? Name, images, labels, Height, Width, LabelNames);
    }

    /// <summary>The first <paramref name="count"/> images, or all when there are fewer.</summary>
    public CharacterDataset Take(int count) =>
        count >= Count ? this : Subset(Enumerable.Range(0, count).ToArray());
}
