using Crnn.MLNet.Imaging;
using Crnn.MLNet.Model;

namespace Crnn.MLNet.Transforms;

/// <summary>What to do with an image that cannot be read (missing, corrupt, empty, truncated, too large).</summary>
public enum BadImageHandling
{
    /// <summary>Throw, naming the file (or the row of an in-memory image).</summary>
    Throw,
    /// <summary>
    /// Keep the row: its normalised input and scores are NaN, its predicted label is missing (key 0) with empty text,
    /// and the error column says why. Drop such rows with <c>mlContext.Data.FilterRowsByMissingValues(data, "PredictedLabel")</c>.
    /// </summary>
    Skip,
}
