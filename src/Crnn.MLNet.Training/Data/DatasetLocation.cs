namespace Crnn.MLNet.Training.Data;

/// <summary>Where a dataset's files were found.</summary>
public enum DataSource
{
    /// <summary>The data directory given explicitly (<c>--data</c>, <see cref="DatasetRequest.DataDir"/>).</summary>
    DataDirectory,

    /// <summary>The directory named by the <c>CRNN_DATA_DIR</c> environment variable.</summary>
    EnvironmentVariable,

    /// <summary>The user cache (<c>$XDG_CACHE_HOME/crnn-mlnet/datasets</c> or <c>~/.cache/crnn-mlnet/datasets</c>).</summary>
    Cache,

    /// <summary>Downloaded just now into the user cache.</summary>
    Download,

    /// <summary>A dataset folder given as a path instead of a name.</summary>
    CustomFolder,
}

/// <summary>The image and label files of one split.</summary>
/// <param name="ImagesPath">Full path of the IDX image file.</param>
/// <param name="LabelsPath">Full path of the IDX label file.</param>
public sealed record DatasetSplitFiles(string ImagesPath, string LabelsPath);

/// <summary>Where a dataset's files are, as found by <see cref="DatasetLoader.Locate"/>.</summary>
/// <param name="Name">The dataset name (e.g. <c>mnist</c>), or the folder name for a custom folder.</param>
/// <param name="Folder">Full path of the folder holding the files.</param>
/// <param name="Source">Which place the folder came from.</param>
/// <param name="Train">Training files, or null when the folder has none.</param>
/// <param name="Test">Test files, or null when the folder has none.</param>
/// <param name="MappingPath">The mapping file naming the classes, or null when the built-in names (or class numbers) apply.</param>
/// <param name="Descriptor">The catalog entry, or null for a custom folder.</param>
public sealed record DatasetLocation(string Name, string Folder, DataSource Source, DatasetSplitFiles? Train, DatasetSplitFiles? Test,
    string? MappingPath, DatasetDescriptor? Descriptor)
{
    /// <summary>The files of a split, or null when absent.</summary>
    public DatasetSplitFiles? Files(DatasetSplit split) => split == DatasetSplit.Train ? Train : Test;

    /// <summary>The splits present, train first.</summary>
    public IEnumerable<DatasetSplit> Splits
    {
        get
        {
            if (Train is not null) yield return DatasetSplit.Train;
            if (Test is not null) yield return DatasetSplit.Test;
        }
    }

    /// <summary>
    /// How the files are stored. For <see cref="DatasetFormat.ImageFolder"/>, a split's <see cref="DatasetSplitFiles.ImagesPath"/>
    /// and <see cref="DatasetSplitFiles.LabelsPath"/> are both its folder (the class folders in it are the labels).
    /// </summary>
    public DatasetFormat Format { get; init; } = DatasetFormat.Idx;

    /// <summary>Whether images are stored transposed and must be turned upright while reading.</summary>
    public bool StoredTransposed => Descriptor?.StoredTransposed ?? false;
}
