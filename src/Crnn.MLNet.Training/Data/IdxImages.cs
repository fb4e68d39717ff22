namespace Crnn.MLNet.Training.Data;

/// <summary>Images read from an IDX file: <see cref="Count"/> x <see cref="Rows"/> x <see cref="Columns"/> bytes, row-major.</summary>
public sealed record IdxImages(byte[] Pixels, int Count, int Rows, int Columns)
{
    /// <summary>Bytes per image.</summary>
    public int PixelsPerImage => Rows * Columns;
}
