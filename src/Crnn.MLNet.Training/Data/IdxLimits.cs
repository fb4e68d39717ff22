namespace Crnn.MLNet.Training.Data;

/// <summary>
/// Sanity limits for <see cref="IdxReader"/>. A header claiming more than these is rejected before anything
/// of that size is allocated, so a corrupt or hostile file cannot make the reader ask for gigabytes.
/// </summary>
public sealed record IdxLimits
{
    /// <summary>The default limits: sides up to 1024 pixels, at most 1 GiB of pixel data per file.</summary>
    public static IdxLimits Default { get; } = new();

    /// <summary>Largest accepted image side (rows or columns), in pixels.</summary>
    public int MaxSide { get; init; } = 1024;

    /// <summary>
    /// Largest accepted data size of one file, in bytes (1 GiB by default: the largest official file,
    /// EMNIST ByClass train, holds about 547 MB). Cannot exceed <see cref="Array.MaxLength"/>.
    /// </summary>
    public long MaxDataBytes { get; init; } = 1L << 30;
}
