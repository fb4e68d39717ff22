namespace Crnn.MLNet.Model;

/// <summary>
/// Sanity limits applied when a model is opened (<see cref="CrnnSessionOptions.Limits"/>). Each is checked before the
/// corresponding thing is read, parsed or allocated, so a huge or hostile file fails early with an error naming it.
/// </summary>
public sealed record CrnnModelLimits
{
    /// <summary>The defaults: models up to 512 MiB, metadata JSON up to 1 MiB, up to 4096 labels, inputs up to 1024 x 1024.</summary>
    public static CrnnModelLimits Default { get; } = new();

    /// <summary>Largest model accepted, in bytes (file, stream or byte array). A CRNN for characters is a few MB.</summary>
    public long MaxModelBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>Largest <c>crnn.metadata</c> JSON accepted, in UTF-8 bytes (the exporter writes a few KB).</summary>
    public int MaxMetadataBytes { get; init; } = 1024 * 1024;

    /// <summary>Most class labels a model may declare.</summary>
    public int MaxLabels { get; init; } = 4096;

    /// <summary>Longest label, in UTF-16 code units (labels are usually one character).</summary>
    public int MaxLabelLength { get; init; } = 64;

    /// <summary>Largest input height or width the metadata may declare, in pixels.</summary>
    public int MaxInputSide { get; init; } = 1024;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a limit is not positive.</summary>
    public void Check()
    {
        if (MaxModelBytes <= 0) throw new ArgumentOutOfRangeException(nameof(MaxModelBytes), MaxModelBytes, "must be positive");
        if (MaxMetadataBytes <= 0) throw new ArgumentOutOfRangeException(nameof(MaxMetadataBytes), MaxMetadataBytes, "must be positive");
        if (MaxLabels < 2) throw new ArgumentOutOfRangeException(nameof(MaxLabels), MaxLabels, "must be at least 2");
        if (MaxLabelLength <= 0) throw new ArgumentOutOfRangeException(nameof(MaxLabelLength), MaxLabelLength, "must be positive");
        if (MaxInputSide <= 0) throw new ArgumentOutOfRangeException(nameof(MaxInputSide), MaxInputSide, "must be positive");
    }
}
