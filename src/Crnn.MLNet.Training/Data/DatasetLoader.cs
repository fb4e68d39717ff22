namespace Crnn.MLNet.Training.Data;

/// <summary>
/// The one entry point for datasets: finds a named dataset or a dataset folder, downloads it when needed, and reads
/// it into a <see cref="CharacterDataset"/>.
/// </summary>
/// <remarks>
/// <para>A named dataset (see <see cref="DatasetCatalog"/>) is looked for, in this order:</para>
/// <list type="number">
/// <item><see cref="DatasetRequest.DataDir"/> (<c>--data</c>) when given: the folder holding the files, or a parent with
/// one folder per dataset (<c>mnist/</c>, <c>fashion-mnist/</c>, <c>emnist/</c>). When given it is the only place
/// searched, so a mistyped folder is an error rather than a surprise download.</item>
/// <item>The directory in <c>CRNN_DATA_DIR</c>, with the same layout.</item>
/// <item>The user cache (<see cref="DefaultCacheDirectory"/>); cached files are verified by checksum first.</item>
/// <item>A download of the official files into the cache, when <see cref="DatasetRequest.AllowDownload"/> is set
/// (from <c>CRNN_DATASET_MIRROR</c><c>/{folder}/</c> instead when that variable is set).</item>
/// </list>
/// <para>Anything else given as <see cref="DatasetRequest.NameOrPath"/> that looks like a path is a custom dataset folder:
/// <c>train-images-idx3-ubyte[.gz]</c>, <c>train-labels-idx1-ubyte[.gz]</c>, <c>test-…</c> (or <c>t10k-…</c>), either split
/// may be absent, optional <c>mapping.txt</c>; images upright. Without a mapping the classes are named by their numbers.
/// A folder without IDX files may instead hold images in one sub-folder per class (<see cref="ImageFolderDataset"/>):
/// <c>train/&lt;label&gt;/</c> and <c>test/&lt;label&gt;/</c>, or <c>&lt;label&gt;/</c> directly for a training split only.</para>
/// </remarks>
public static class DatasetLoader
{
    /// <summary>Environment variable naming a data directory, searched after <see cref="DatasetRequest.DataDir"/>.</summary>
    public const string DataDirEnvironmentVariable = "CRNN_DATA_DIR";

    /// <summary>Environment variable with a base URL that replaces the official download hosts: files are fetched from <c>{url}/{folder}/{file}</c>.</summary>
    public const string MirrorEnvironmentVariable = "CRNN_DATASET_MIRROR";

    /// <summary>Name of the optional class-name file of a custom dataset folder.</summary>
    public const string CustomMappingFileName = "mapping.txt";

    private static readonly DatasetFileNames CustomTrain = new("train-images-idx3-ubyte", "train-labels-idx1-ubyte");
    private static readonly DatasetFileNames[] CustomTest =
    [
        new("test-images-idx3-ubyte", "test-labels-idx1-ubyte"),
        new("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
    ];

    /// <summary>The download cache: <c>$XDG_CACHE_HOME/crnn-mlnet/datasets</c>, else <c>~/.cache/crnn-mlnet/datasets</c>.</summary>
    public static string DefaultCacheDirectory => DatasetCache.DefaultRoot();

    /// <summary>Finds (downloading if needed and allowed) and reads one split of a dataset.</summary>
    /// <exception cref="ArgumentException">Unknown dataset name.</exception>
    /// <exception cref="IOException">Folder or files missing, or a download failed.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or fails its checksum.</exception>
    public static CharacterDataset Load(DatasetRequest request, DatasetSplit split, IProgress<DataProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        Load(request, split, progress, DataSourceSettings.FromEnvironment(), cancellationToken);

    /// <summary>
    /// Like <see cref="Load(DatasetRequest, DatasetSplit, IProgress{DataProgress}?, CancellationToken)"/>, but returns null when the
    /// dataset is found without that split (e.g. a custom folder with only training files). Every other problem still throws.
    /// </summary>
    public static CharacterDataset? TryLoad(DatasetRequest request, DatasetSplit split, IProgress<DataProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        TryLoad(request, split, progress, DataSourceSettings.FromEnvironment(), cancellationToken);

    /// <summary>
    /// Finds where a dataset's files are (downloading them if needed and allowed). With <paramref name="split"/> set, only a
    /// place holding that split counts; otherwise any place holding either split.
    /// </summary>
    public static DatasetLocation Locate(DatasetRequest request, DatasetSplit? split = null, IProgress<DataProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        Locate(request, split, progress, DataSourceSettings.FromEnvironment(), cancellationToken);

    /// <summary>Reads one split of an already located dataset.</summary>
    public static CharacterDataset Load(DatasetLocation location, DatasetSplit split, IProgress<DataProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(location);
        var files = location.Files(split) ?? throw new FileNotFoundException(MissingSplitMessage(location.Folder, split, location.Descriptor));
        var mapping = ReadLabelMapping(location, cancellationToken);
        if (location.Format == DatasetFormat.ImageFolder)
            return ImageFolderDataset.Read(files.ImagesPath, location.Name, mapping.Names, progress, cancellationToken);
        progress?.Report(new DataProgress(DataStage.Reading, files.LabelsPath));
        var stored = IdxReader.ReadLabels(files.LabelsPath, cancellationToken: cancellationToken);
        var classes = mapping.ToClasses(stored, files.LabelsPath);
        progress?.Report(new DataProgress(DataStage.Reading, files.ImagesPath));
        var images = IdxReader.ReadImages(files.ImagesPath, location.StoredTransposed, stored.Length, files.LabelsPath, null, cancellationToken);
        return new CharacterDataset(location.Name, images.Pixels, classes, images.Rows, images.Columns, mapping.Names);
    }

    /// <summary>
    /// The classes of a located dataset: from its mapping file when there is one, else the catalog's built-in names, else
    /// (custom folder without mapping) numbered 0..max over the labels of all its splits.
    /// </summary>
    public static LabelMapping ReadLabelMapping(DatasetLocation location, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (location.MappingPath is not null) return LabelMapping.Parse(location.MappingPath);
        if (location.Descriptor is not null) return location.Descriptor.Labels;
        if (location.Format == DatasetFormat.ImageFolder)
        {
            // Every split's class folders, so train and test agree on the classes when one lacks a class.
            var labels = location.Splits.SelectMany(s => ImageFolderDataset.ClassFolders(location.Files(s)!.ImagesPath).Select(c => c.Label))
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            return LabelMapping.Identity(labels);
        }
        // Numbering from all splits keeps train and test agreeing on the class count when one lacks the last class.
        int max = 0;
        foreach (var split in location.Splits)
        {
            var labels = IdxReader.ReadLabels(location.Files(split)!.LabelsPath, cancellationToken: cancellationToken);
            if (labels.Length > 0) max = Math.Max(max, labels.Max());
        }
        return LabelMapping.Numbered(max + 1);
    }

    internal static CharacterDataset Load(DatasetRequest request, DatasetSplit split, IProgress<DataProgress>? progress, DataSourceSettings settings,
        CancellationToken cancellationToken) =>
        Load(Locate(request, split, progress, settings, cancellationToken), split, progress, cancellationToken);

    internal static CharacterDataset? TryLoad(DatasetRequest request, DatasetSplit split, IProgress<DataProgress>? progress, DataSourceSettings settings,
        CancellationToken cancellationToken)
    {
        var location = Locate(request, null, progress, settings, cancellationToken);
        return location.Files(split) is null ? null : Load(location, split, progress, cancellationToken);
    }

    internal static DatasetLocation Locate(DatasetRequest request, DatasetSplit? split, IProgress<DataProgress>? progress, DataSourceSettings settings,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        string nameOrPath = request.NameOrPath?.Trim() ?? "";
        if (nameOrPath.Length == 0)
            throw new ArgumentException($"a dataset is required: one of {string.Join(", ", DatasetCatalog.Names)}, or a path to a folder of IDX files.");
        DatasetLocation location;
        if (settings.TryGetDataset(nameOrPath, out var descriptor))
            location = LocateNamed(descriptor, request, split, progress, settings, cancellationToken);
        else if (LooksLikePath(nameOrPath))
            location = LocateCustom(nameOrPath, split);
        else
            throw new ArgumentException(DatasetCatalog.UnknownNameMessage(nameOrPath));
        if (request.MappingPath is null) return location;
        string mapping = FullPath(request.MappingPath);
        if (!File.Exists(mapping)) throw new FileNotFoundException($"mapping file '{mapping}' does not exist.", mapping);
        return location with { MappingPath = mapping };
    }

    private static bool LooksLikePath(string s) =>
        s.Contains('/') || s.Contains('\\') || s.StartsWith('.') || s.StartsWith('~') || Path.IsPathRooted(s) || Directory.Exists(s);

    private static string FullPath(string path)
    {
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
            path = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : "");
        return Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
    }

    private static DatasetLocation LocateCustom(string path, DatasetSplit? split)
    {
        string folder = FullPath(path);
        if (!Directory.Exists(folder))
            throw File.Exists(folder)
                ? new ArgumentException($"dataset path '{folder}' is a file; give the folder that holds the IDX files.")
                : new DirectoryNotFoundException($"dataset folder '{folder}' does not exist.");
        var train = FindSplit(folder, [CustomTrain]);
        var test = FindSplit(folder, CustomTest);
        string mapping = Path.Combine(folder, CustomMappingFileName);
        DatasetLocation location;
        if (train is null && test is null)
        {
            var images = ImageFolderDataset.FindSplits(folder)
                ?? throw new FileNotFoundException($"folder '{folder}' holds no dataset: expected {Expected(DatasetSplit.Train, null)} " +
                    $"and/or {Expected(DatasetSplit.Test, null)}, with an optional {CustomMappingFileName}; or images in one sub-folder per class " +
                    "(train/<label>/, test/<label>/, or <label>/ directly).");
            location = new DatasetLocation(Path.GetFileName(folder), folder, DataSource.CustomFolder,
                images.Train is { } tr ? new DatasetSplitFiles(tr, tr) : null, images.Test is { } te ? new DatasetSplitFiles(te, te) : null,
                File.Exists(mapping) ? mapping : null, Descriptor: null) { Format = DatasetFormat.ImageFolder };
        }
        else
        {
            location = new DatasetLocation(Path.GetFileName(folder), folder, DataSource.CustomFolder, train, test,
                File.Exists(mapping) ? mapping : null, Descriptor: null);
        }
        if (split is DatasetSplit s && location.Files(s) is null)
            throw new FileNotFoundException(MissingSplitMessage(folder, s, null));
        return location;
    }

    private static DatasetLocation LocateNamed(DatasetDescriptor descriptor, DatasetRequest request, DatasetSplit? split, IProgress<DataProgress>? progress,
        DataSourceSettings settings, CancellationToken cancellationToken)
    {
        var searched = new List<string>();
        if (request.DataDir is not null)
        {
            string dir = FullPath(request.DataDir);
            if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"data directory '{dir}' does not exist.");
            return FindIn(dir, descriptor, DataSource.DataDirectory, split, searched)
                ?? throw NotFound(descriptor, split, searched, "Only the given data directory is searched.");
        }

        if (settings.EnvironmentDataDir is not null)
        {
            string dir = FullPath(settings.EnvironmentDataDir);
            if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{DataDirEnvironmentVariable}='{dir}' does not exist.");
            var found = FindIn(dir, descriptor, DataSource.EnvironmentVariable, split, searched);
            if (found is not null) return found;
        }

        string cacheFolder = DatasetCache.Folder(settings.CacheDir, descriptor.FolderName);
        var cached = FindInCache(cacheFolder, descriptor, split, progress, searched, cancellationToken);
        if (cached is not null) return cached;

        if (!request.AllowDownload) throw NotFound(descriptor, split, searched, "Downloading is disabled.");
        if (descriptor.Download is null) throw NotFound(descriptor, split, searched, "This dataset cannot be downloaded.");
        var baseUri = settings.Mirror is null ? descriptor.Download.BaseUri : new Uri(settings.Mirror, descriptor.FolderName + "/");
        new DatasetDownloader(settings.HttpClient, settings.StallTimeout).DownloadDataset(descriptor, baseUri, cacheFolder, progress, cancellationToken);
        var downloaded = Candidate(cacheFolder, descriptor, DataSource.Download);
        if (downloaded is null || (split is DatasetSplit s && downloaded.Files(s) is null))
            throw new InvalidDataException($"the download of '{descriptor.Name}' into '{cacheFolder}' did not produce {Expected(split ?? DatasetSplit.Train, descriptor)}.");
        return downloaded;
    }

    /// <summary>The dataset in <c>root/FolderName</c>, its aliases, or <c>root</c> itself; null when none holds the wanted split.</summary>
    private static DatasetLocation? FindIn(string root, DatasetDescriptor descriptor, DataSource source, DatasetSplit? split, List<string> searched)
    {
        var folders = new[] { descriptor.FolderName }.Concat(descriptor.FolderAliases).Select(f => Path.Combine(root, f)).Append(root);
        foreach (string folder in folders)
        {
            searched.Add(folder);
            if (!Directory.Exists(folder)) continue;
            var location = Candidate(folder, descriptor, source);
            if (location is not null && (split is not DatasetSplit s || location.Files(s) is not null)) return location;
        }
        return null;
    }

    private static DatasetLocation? FindInCache(string folder, DatasetDescriptor descriptor, DatasetSplit? split, IProgress<DataProgress>? progress,
        List<string> searched, CancellationToken cancellationToken)
    {
        searched.Add(folder);
        if (!Directory.Exists(folder)) return null;
        var location = Candidate(folder, descriptor, DataSource.Cache);
        if (location is null || (split is DatasetSplit s && location.Files(s) is null)) return null;

        // Cached files are ours: use them only when they verify, otherwise fetch them again.
        var manifest = DatasetCache.ReadManifest(folder);
        var splits = split is DatasetSplit only ? [only] : location.Splits.ToArray();
        var paths = splits.SelectMany(sp => new[] { location.Files(sp)!.ImagesPath, location.Files(sp)!.LabelsPath });
        if (location.MappingPath is not null) paths = paths.Append(location.MappingPath);
        foreach (string path in paths)
        {
            progress?.Report(new DataProgress(DataStage.Verifying, path));
            if (!DatasetCache.IsTrusted(path, descriptor, manifest, out string problem, cancellationToken))
            {
                progress?.Report(new DataProgress(DataStage.Warning, path, Message: $"ignoring cached file: {problem}."));
                return null;
            }
        }
        return location;
    }

    /// <summary>The dataset's files in exactly this folder, or null when neither split is complete there.</summary>
    private static DatasetLocation? Candidate(string folder, DatasetDescriptor descriptor, DataSource source)
    {
        var train = FindSplit(folder, [descriptor.Train]);
        var test = FindSplit(folder, [descriptor.Test]);
        if (train is null && test is null) return null;
        string? mapping = descriptor.MappingFileName is null ? null : Path.Combine(folder, descriptor.MappingFileName);
        return new DatasetLocation(descriptor.Name, folder, source, train, test, mapping is not null && File.Exists(mapping) ? mapping : null, descriptor);
    }

    /// <summary>The first complete pair of files; a lone image or label file is an error naming its missing partner.</summary>
    private static DatasetSplitFiles? FindSplit(string folder, IEnumerable<DatasetFileNames> candidates)
    {
        foreach (var names in candidates)
        {
            string? images = FindFile(folder, names.Images), labels = FindFile(folder, names.Labels);
            if (images is not null && labels is not null) return new DatasetSplitFiles(images, labels);
            if (images is not null) throw new FileNotFoundException($"'{images}' has no label file: expected {names.Labels}[.gz] in '{folder}'.");
            if (labels is not null) throw new FileNotFoundException($"'{labels}' has no image file: expected {names.Images}[.gz] in '{folder}'.");
        }
        return null;
    }

    // The gzipped name first: that is what downloads produce and what the checksums describe.
    private static string? FindFile(string folder, string name) =>
        new[] { Path.Combine(folder, name + ".gz"), Path.Combine(folder, name) }.FirstOrDefault(File.Exists);

    private static string Expected(DatasetSplit split, DatasetDescriptor? descriptor)
    {
        if (descriptor is not null)
        {
            var names = descriptor.Files(split);
            return $"{names.Images}[.gz] and {names.Labels}[.gz]";
        }
        return split == DatasetSplit.Train
            ? $"{CustomTrain.Images}[.gz] and {CustomTrain.Labels}[.gz]"
            : $"{CustomTest[0].Images}[.gz] and {CustomTest[0].Labels}[.gz] (or t10k-…)";
    }

    private static string MissingSplitMessage(string folder, DatasetSplit split, DatasetDescriptor? descriptor) =>
        $"'{folder}' has no {split.ToString().ToLowerInvariant()} split: expected {Expected(split, descriptor)}.";

    private static FileNotFoundException NotFound(DatasetDescriptor descriptor, DatasetSplit? split, List<string> searched, string why)
    {
        string what = split is DatasetSplit s ? $"the {s.ToString().ToLowerInvariant()} split of dataset '{descriptor.Name}'" : $"dataset '{descriptor.Name}'";
        string expected = split is DatasetSplit sp ? Expected(sp, descriptor) : $"{Expected(DatasetSplit.Train, descriptor)}, or {Expected(DatasetSplit.Test, descriptor)}";
        return new FileNotFoundException($"{what} was not found: looked in {string.Join(", ", searched.Distinct())} for {expected}. {why}");
    }
}
