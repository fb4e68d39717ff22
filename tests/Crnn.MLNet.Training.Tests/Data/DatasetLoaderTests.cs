using Crnn.MLNet.Training.Data;

namespace Crnn.MLNet.Training.Tests.Data;

public class DatasetLoaderTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    // No CRNN_DATA_DIR, a private cache, and no way to reach the network.
    private DataSourceSettings Settings(string? envDir = null, params DatasetDescriptor[] extra) => new()
    {
        EnvironmentDataDir = envDir,
        CacheDir = _temp.Combine("cache"),
        Mirror = new Uri("http://127.0.0.1:9/"),
        ExtraDatasets = extra,
    };

    private CharacterDataset Load(string nameOrPath, DatasetSplit split, DataSourceSettings? settings = null, string? dataDir = null, bool download = false) =>
        DatasetLoader.Load(new DatasetRequest(nameOrPath, dataDir, download), split, null, settings ?? Settings(), default);

    private DatasetLocation Locate(string nameOrPath, DataSourceSettings settings, string? dataDir = null) =>
        DatasetLoader.Locate(new DatasetRequest(nameOrPath, dataDir, AllowDownload: false), null, null, settings, default);

    [Fact]
    public void CustomFolderWithoutMappingNamesClassesByNumber()
    {
        string folder = _temp.Combine("digits");
        Synthetic.WriteSplit(folder, "train", 6, Synthetic.Labels(6, 3));
        Synthetic.WriteSplit(folder, "test", 5, Synthetic.Labels(5, 5), gzip: false);

        var train = Load(folder, DatasetSplit.Train);
        var test = Load(folder, DatasetSplit.Test);

        Assert.Equal("digits", train.Name);
        Assert.Equal((6, 4, 3), (train.Count, train.Height, train.Width));
        Assert.Equal(Synthetic.Pixels(6, 4, 3), train.Images);
        // Class count comes from both splits, so train and test agree although train lacks classes 3 and 4.
        Assert.Equal(["0", "1", "2", "3", "4"], train.LabelNames);
        Assert.Equal(train.LabelNames, test.LabelNames);
        Assert.Equal([2, 2, 2, 0, 0], train.ClassCounts());
        var location = DatasetLoader.Locate(new DatasetRequest(folder), null, null, Settings(), default);
        Assert.Equal(DataSource.CustomFolder, location.Source);
        Assert.Null(location.MappingPath);
    }

    [Fact]
    public void CustomFolderWithMappingUsesItsNamesAndStoredValues()
    {
        string folder = _temp.Combine("letters");
        Synthetic.WriteSplit(folder, "train", 4, [5, 7, 9, 7]);
        File.WriteAllText(Path.Combine(folder, "mapping.txt"), "5 97\n7 98\n\n9 99\n");

        var train = Load(folder, DatasetSplit.Train);

        Assert.Equal(["a", "b", "c"], train.LabelNames);
        Assert.Equal([0, 1, 2, 1], train.Labels);
    }

    [Fact]
    public void CustomFolderLabelOutsideMappingFailsNamingFileIndexAndValue()
    {
        string folder = _temp.Combine("bad");
        Synthetic.WriteSplit(folder, "train", 3, [0, 1, 4]);
        File.WriteAllText(Path.Combine(folder, "mapping.txt"), "0 48\n1 49\n");

        var e = Assert.Throws<InvalidDataException>(() => Load(folder, DatasetSplit.Train));
        Assert.Contains("train-labels-idx1-ubyte.gz", e.Message);
        Assert.Contains("label 4 of item 2", e.Message);
    }

    [Fact]
    public void CustomFolderWithBadMappingFailsNamingLine()
    {
        string folder = _temp.Combine("badmap");
        Synthetic.WriteSplit(folder, "train", 3, [0, 1, 0]);
        File.WriteAllText(Path.Combine(folder, "mapping.txt"), "0 48\n1 55296\n");   // a lone surrogate is no character

        var e = Assert.Throws<InvalidDataException>(() => Load(folder, DatasetSplit.Train));
        Assert.Contains("mapping.txt, line 2", e.Message);
    }

    [Fact]
    public void CustomFolderAcceptsMnistStyleT10kNames()
    {
        string folder = _temp.Combine("mnistlike");
        Synthetic.WriteSplit(folder, "t10k", 3, Synthetic.Labels(3, 2));
        Assert.Equal(3, Load(folder, DatasetSplit.Test).Count);
    }

    [Fact]
    public void CustomFolderMissingSplitFailsNamingFolderAndFiles()
    {
        string folder = _temp.Combine("trainonly");
        Synthetic.WriteSplit(folder, "train", 3, Synthetic.Labels(3, 2));

        var e = Assert.Throws<FileNotFoundException>(() => Load(folder, DatasetSplit.Test));
        Assert.Contains(folder, e.Message);
        Assert.Contains("test-images-idx3-ubyte[.gz]", e.Message);
        Assert.Contains("test-labels-idx1-ubyte[.gz]", e.Message);
    }

    [Fact]
    public void TryLoadReturnsNullOnlyForAMissingSplit()
    {
        string folder = _temp.Combine("trainonly");
        Synthetic.WriteSplit(folder, "train", 3, Synthetic.Labels(3, 2));
        var request = new DatasetRequest(folder);

        Assert.Null(DatasetLoader.TryLoad(request, DatasetSplit.Test, null, Settings(), default));
        Assert.Equal(3, DatasetLoader.TryLoad(request, DatasetSplit.Train, null, Settings(), default)!.Count);
        Assert.Throws<DirectoryNotFoundException>(() => DatasetLoader.TryLoad(new DatasetRequest(_temp.Combine("nope")), DatasetSplit.Test, null, Settings(), default));
    }

    [Fact]
    public void CustomFolderWithLoneImageFileNamesTheMissingLabels()
    {
        string folder = _temp.Combine("lone");
        Directory.CreateDirectory(folder);
        IdxWriter.WriteImages(Path.Combine(folder, "train-images-idx3-ubyte"), Synthetic.Pixels(2, 2, 2), 2, 2, 2);

        var e = Assert.Throws<FileNotFoundException>(() => Load(folder, DatasetSplit.Train));
        Assert.Contains("train-labels-idx1-ubyte[.gz]", e.Message);
    }

    [Fact]
    public void CustomFolderCountMismatchFailsNamingBothFiles()
    {
        string folder = _temp.Combine("mismatch");
        Directory.CreateDirectory(folder);
        IdxWriter.WriteImages(Path.Combine(folder, "train-images-idx3-ubyte"), Synthetic.Pixels(3, 2, 2), 3, 2, 2);
        IdxWriter.WriteLabels(Path.Combine(folder, "train-labels-idx1-ubyte"), [0, 1]);

        var e = Assert.Throws<InvalidDataException>(() => Load(folder, DatasetSplit.Train));
        Assert.Contains("train-images-idx3-ubyte", e.Message);
        Assert.Contains("train-labels-idx1-ubyte", e.Message);
    }

    [Fact]
    public void MissingFolderAndEmptyFolderFailClearly()
    {
        string missing = _temp.Combine("nope");
        Assert.Contains(missing, Assert.Throws<DirectoryNotFoundException>(() => Load(missing, DatasetSplit.Train)).Message);
        string empty = _temp.Combine("empty");
        Directory.CreateDirectory(empty);
        var e = Assert.Throws<FileNotFoundException>(() => Load(empty, DatasetSplit.Train));
        Assert.Contains("holds no dataset", e.Message);
        Assert.Contains("one sub-folder per class", e.Message);
    }

    [Fact]
    public void UnknownNameListsKnownNamesAndMentionsPaths()
    {
        var e = Assert.Throws<ArgumentException>(() => Load("mnsit", DatasetSplit.Train));
        Assert.Contains("'mnsit'", e.Message);
        foreach (string name in DatasetCatalog.Names) Assert.Contains(name, e.Message);
        Assert.Contains("path to a folder", e.Message);
    }

    [Fact]
    public void CatalogKnowsTheOfficialDatasets()
    {
        Assert.Equal(["mnist", "fashion-mnist", "emnist-balanced", "emnist-byclass", "emnist-bymerge", "emnist-digits", "emnist-letters"], DatasetCatalog.Names);
        Assert.Equal(47, DatasetCatalog.Get("EMNIST-Balanced").Labels.ClassCount);
        Assert.Equal(62, DatasetCatalog.Get("emnist-byclass").Labels.ClassCount);
        Assert.Equal("T-shirt/top", DatasetCatalog.Get("fashion-mnist").Labels.Names[0]);
        Assert.Equal("Ankle boot", DatasetCatalog.Get("fashion-mnist").Labels.Names[9]);
        Assert.All(DatasetCatalog.All.Where(d => d.Name.StartsWith("emnist")), d => Assert.True(d.StoredTransposed));
        Assert.False(DatasetCatalog.Get("mnist").StoredTransposed);
        Assert.All(DatasetCatalog.All, d => Assert.True(d.Download?.ArchiveChecksum is not null || d.Download!.Files.All(d.Checksums.ContainsKey),
            $"{d.Name} has a download without checksum"));
    }

    [Fact]
    public void OfficialEmnistFilesAreReadUpright()
    {
        // Official layout: <data>/emnist/emnist-letters-*, images stored transposed, labels 1..26, mapping "index upper lower".
        string emnist = _temp.Combine("data", "emnist");
        Directory.CreateDirectory(emnist);
        var upright = Synthetic.Pixels(3, 5, 4); // 3 images of 5 rows x 4 columns, as they should come out
        var stored = new byte[upright.Length];
        for (int n = 0; n < 3; n++)
            for (int r = 0; r < 5; r++)
                for (int c = 0; c < 4; c++)
                    stored[n * 20 + c * 5 + r] = upright[n * 20 + r * 4 + c];
        IdxWriter.WriteImages(Path.Combine(emnist, "emnist-letters-test-images-idx3-ubyte.gz"), stored, 3, 4, 5, gzip: true);
        IdxWriter.WriteLabels(Path.Combine(emnist, "emnist-letters-test-labels-idx1-ubyte.gz"), [1, 26, 2], gzip: true);
        File.WriteAllLines(Path.Combine(emnist, "emnist-letters-mapping.txt"), Enumerable.Range(1, 26).Select(i => $"{i} {64 + i} {96 + i}"));

        var test = Load("emnist-letters", DatasetSplit.Test, dataDir: _temp.Combine("data"));

        Assert.Equal("emnist-letters", test.Name);
        Assert.Equal((5, 4), (test.Height, test.Width));
        Assert.Equal(upright, test.Images);
        Assert.Equal([0, 25, 1], test.Labels);
        Assert.Equal(26, test.ClassCount);
        Assert.Equal("A", test.LabelNames[0]);
        Assert.Equal("Z", test.LabelNames[25]);
    }

    [Fact]
    public void CustomFolderImagesAreNotTransposed()
    {
        string folder = _temp.Combine("emnist47like");
        Synthetic.WriteSplit(folder, "train", 2, [0, 1], rows: 5, cols: 4);
        var train = Load(folder, DatasetSplit.Train);
        Assert.Equal(Synthetic.Pixels(2, 5, 4), train.Images);
        Assert.Equal((5, 4), (train.Height, train.Width));
    }

    /// <summary>A dataset like MNIST whose cached files verify against checksums computed here.</summary>
    private static DatasetDescriptor Toy(IReadOnlyDictionary<string, FileChecksum>? checksums = null) => new()
    {
        Name = "toy",
        Title = "toy",
        FolderName = "toy",
        Train = new("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
        Test = new("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
        Labels = LabelMapping.Numbered(2),
        Checksums = checksums ?? new Dictionary<string, FileChecksum>(),
    };

    private static Dictionary<string, FileChecksum> ChecksumsOf(string folder) =>
        Directory.GetFiles(folder).ToDictionary(f => Path.GetFileName(f), f => FileChecksum.Sha256(DatasetCache.Sha256(f)));

    [Fact]
    public void SourcesArePreferredInOrderDataDirThenEnvironmentThenCache()
    {
        // The same dataset in three places, told apart by its size.
        Synthetic.WriteSplit(_temp.Combine("explicit", "toy"), "train", 3, Synthetic.Labels(3, 2));
        Synthetic.WriteSplit(_temp.Combine("env", "toy"), "train", 4, Synthetic.Labels(4, 2));
        Synthetic.WriteSplit(_temp.Combine("cache", "toy"), "train", 5, Synthetic.Labels(5, 2));
        var toy = Toy(ChecksumsOf(_temp.Combine("cache", "toy")));

        Assert.Equal(3, Load("toy", DatasetSplit.Train, Settings(_temp.Combine("env"), toy), dataDir: _temp.Combine("explicit")).Count);
        Assert.Equal(4, Load("toy", DatasetSplit.Train, Settings(_temp.Combine("env"), toy)).Count);
        Assert.Equal(5, Load("toy", DatasetSplit.Train, Settings(null, toy)).Count);

        Assert.Equal(DataSource.DataDirectory, Locate("toy", Settings(_temp.Combine("env"), toy), _temp.Combine("explicit")).Source);
        Assert.Equal(DataSource.EnvironmentVariable, Locate("toy", Settings(_temp.Combine("env"), toy)).Source);
        Assert.Equal(DataSource.Cache, Locate("toy", Settings(null, toy)).Source);

        // A data directory that is itself the dataset folder works too.
        Assert.Equal(3, Load("toy", DatasetSplit.Train, Settings(null, toy), dataDir: _temp.Combine("explicit", "toy")).Count);
    }

    [Fact]
    public void EnvironmentDirectoryWithoutTheDatasetFallsBackToTheCache()
    {
        Directory.CreateDirectory(_temp.Combine("env", "other"));
        Synthetic.WriteSplit(_temp.Combine("cache", "toy"), "train", 5, Synthetic.Labels(5, 2));
        var toy = Toy(ChecksumsOf(_temp.Combine("cache", "toy")));
        Assert.Equal(5, Load("toy", DatasetSplit.Train, Settings(_temp.Combine("env"), toy)).Count);
    }

    [Fact]
    public void ExplicitDataDirIsTheOnlyPlaceSearched()
    {
        Synthetic.WriteSplit(_temp.Combine("env", "toy"), "train", 4, Synthetic.Labels(4, 2));
        Directory.CreateDirectory(_temp.Combine("explicit"));

        var e = Assert.Throws<FileNotFoundException>(() =>
            Load("toy", DatasetSplit.Train, Settings(_temp.Combine("env"), Toy()), dataDir: _temp.Combine("explicit")));
        Assert.Contains(_temp.Combine("explicit", "toy"), e.Message);
        Assert.Contains("train-images-idx3-ubyte[.gz]", e.Message);

        var missing = Assert.Throws<DirectoryNotFoundException>(() => Load("toy", DatasetSplit.Train, Settings(null, Toy()), dataDir: _temp.Combine("nope")));
        Assert.Contains(_temp.Combine("nope"), missing.Message);
    }

    [Fact]
    public void NotFoundWithoutDownloadListsWhereItLooked()
    {
        var e = Assert.Throws<FileNotFoundException>(() => Load("mnist", DatasetSplit.Test, Settings(_temp.Path)));
        Assert.Contains(_temp.Combine("mnist"), e.Message);
        Assert.Contains(_temp.Combine("cache", "mnist"), e.Message);
        Assert.Contains("t10k-images-idx3-ubyte[.gz]", e.Message);
        Assert.Contains("Downloading is disabled", e.Message);
    }

    [Fact]
    public void UnverifiableCachedFilesAreNotUsed()
    {
        // Files in the cache with no known checksum (none in the catalog entry, no manifest) are not trusted.
        Synthetic.WriteSplit(_temp.Combine("cache", "toy"), "train", 5, Synthetic.Labels(5, 2));
        var warnings = new List<DataProgress>();
        var e = Assert.Throws<FileNotFoundException>(() =>
            DatasetLoader.Load(new DatasetRequest("toy", AllowDownload: false), DatasetSplit.Train, new SyncProgress(warnings.Add), Settings(null, Toy()), default));
        Assert.Contains("Downloading is disabled", e.Message);
        Assert.Contains(warnings, w => w.Stage == DataStage.Warning && w.Message!.Contains("no known checksum"));
    }
}

/// <summary>Reports synchronously (unlike <see cref="Progress{T}"/>, which posts to a thread pool).</summary>
internal sealed class SyncProgress(Action<DataProgress> report) : IProgress<DataProgress>
{
    public void Report(DataProgress value)
    {
        lock (this) report(value);
    }
}
