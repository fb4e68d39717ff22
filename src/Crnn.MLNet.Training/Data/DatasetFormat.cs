namespace Crnn.MLNet.Training.Data;

/// <summary>How a dataset's images and labels are stored.</summary>
public enum DatasetFormat
{
    /// <summary>IDX image and label files (MNIST's format), one pair per split.</summary>
    Idx,
    /// <summary>Image files (PNG, JPEG, BMP, GIF, WebP) in one sub-folder per class, the folder's name being the label.</summary>
    ImageFolder,
}
