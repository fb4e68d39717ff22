namespace Crnn.MLNet.Training.Data;

/// <summary>The IDX file names of one split, without the optional <c>.gz</c> suffix.</summary>
/// <param name="Images">e.g. <c>train-images-idx3-ubyte</c>.</param>
/// <param name="Labels">e.g. <c>train-labels-idx1-ubyte</c>.</param>
public sealed record DatasetFileNames(string Images, string Labels);

/// <summary>Where a named dataset can be downloaded from.</summary>
/// <param name="BaseUri">Folder URL the files (or the archive) are fetched from; must end with '/'.</param>
/// <param name="Files">
/// File names to fetch from <paramref name="BaseUri"/>, or, when <paramref name="Archive"/> is set, the file names to
/// extract from the archive (matched by the last segment of each entry's path).
/// </param>
/// <param name="Archive">A zip archive holding the files (EMNIST's <c>gzip.zip</c>), or null to fetch files one by one.</param>
/// <param name="ArchiveChecksum">Expected checksum of the archive.</param>
public sealed record DatasetDownload(Uri BaseUri, IReadOnlyList<string> Files, string? Archive = null, FileChecksum? ArchiveChecksum = null);

/// <summary>A named dataset of <see cref="DatasetCatalog"/>: its files, classes and download source.</summary>
public sealed record DatasetDescriptor
{
    /// <summary>The name used on the command line, e.g. <c>mnist</c> or <c>emnist-balanced</c>.</summary>
    public required string Name { get; init; }

    /// <summary>One line saying what the dataset is.</summary>
    public required string Title { get; init; }

    /// <summary>
    /// The folder that holds the files under a data directory or the cache, e.g. <c>mnist</c>; several datasets may
    /// share one (all EMNIST splits live in <c>emnist</c>).
    /// </summary>
    public required string FolderName { get; init; }

    /// <summary>Other sub-folders of a data directory searched after <see cref="FolderName"/>, e.g. <c>emnist/gzip</c> as unzipped from NIST.</summary>
    public IReadOnlyList<string> FolderAliases { get; init; } = [];

    /// <summary>Training files.</summary>
    public required DatasetFileNames Train { get; init; }

    /// <summary>Test files.</summary>
    public required DatasetFileNames Test { get; init; }

    /// <summary>An EMNIST-style mapping file next to the IDX files that names the classes; used when present.</summary>
    public string? MappingFileName { get; init; }

    /// <summary>Built-in classes, used when <see cref="MappingFileName"/> is absent or missing.</summary>
    public required LabelMapping Labels { get; init; }

    /// <summary>Whether the files store each image transposed (official EMNIST); the loader returns them upright.</summary>
    public bool StoredTransposed { get; init; }

    /// <summary>
    /// Known checksums of files as they are downloaded, keyed by file name (e.g. <c>train-images-idx3-ubyte.gz</c>).
    /// Files in the cache are verified against these before use.
    /// </summary>
    public IReadOnlyDictionary<string, FileChecksum> Checksums { get; init; } = new Dictionary<string, FileChecksum>();

    /// <summary>Where to download the dataset from, or null when it cannot be downloaded.</summary>
    public DatasetDownload? Download { get; init; }

    /// <summary>The file names of a split.</summary>
    public DatasetFileNames Files(DatasetSplit split) => split == DatasetSplit.Train ? Train : Test;
}
