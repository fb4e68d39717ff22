namespace Crnn.MLNet.Training.Data;

/// <summary>What to load: a dataset name from <see cref="DatasetCatalog"/> or a path to a dataset folder.</summary>
/// <param name="NameOrPath">A known name such as <c>mnist</c>, or a folder holding <c>train-images-idx3-ubyte[.gz]</c> and friends.</param>
/// <param name="DataDir">
/// Where to look for named datasets (<c>--data</c>): the folder holding the files, or a parent with one folder per dataset.
/// When given, it is the only place searched; when null, <c>CRNN_DATA_DIR</c>, then the user cache, then a download are tried.
/// </param>
/// <param name="AllowDownload">Whether a named dataset missing everywhere may be downloaded into the user cache.</param>
/// <param name="MappingPath">
/// A mapping file naming the classes (<c>--mapping</c>), used instead of the dataset's own <c>mapping.txt</c> or built-in
/// names: for a dataset whose source does not say which character each class is (e.g. <c>models/tifinagh-mapping.txt</c>).
/// </param>
public sealed record DatasetRequest(string NameOrPath, string? DataDir = null, bool AllowDownload = true, string? MappingPath = null);
