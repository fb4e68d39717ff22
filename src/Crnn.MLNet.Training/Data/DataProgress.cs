namespace Crnn.MLNet.Training.Data;

/// <summary>What the data layer is busy with, for <see cref="DataProgress"/>.</summary>
public enum DataStage
{
    /// <summary>Downloading <see cref="DataProgress.Item"/>; <see cref="DataProgress.Completed"/> counts bytes.</summary>
    Downloading,

    /// <summary>Checking the checksum of <see cref="DataProgress.Item"/>.</summary>
    Verifying,

    /// <summary>Extracting <see cref="DataProgress.Item"/> from a downloaded archive.</summary>
    Extracting,

    /// <summary>Reading and decoding <see cref="DataProgress.Item"/>.</summary>
    Reading,

    /// <summary>Something the user should know about (see <see cref="DataProgress.Message"/>), e.g. a cached file that failed its checksum.</summary>
    Warning,
}

/// <summary>A progress report from <see cref="DatasetLoader"/>.</summary>
/// <param name="Stage">What is happening.</param>
/// <param name="Item">The file or URL concerned.</param>
/// <param name="Completed">Bytes done so far (downloads), else 0.</param>
/// <param name="Total">Bytes expected in total, when known.</param>
/// <param name="Message">Human-readable detail, always set for <see cref="DataStage.Warning"/>.</param>
public readonly record struct DataProgress(DataStage Stage, string Item, long Completed = 0, long? Total = null, string? Message = null);
