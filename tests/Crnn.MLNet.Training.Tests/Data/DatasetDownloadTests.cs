using System.IO.Compression;
using Crnn.MLNet.Training.Data;

namespace Crnn.MLNet.Training.Tests.Data;

/// <summary>Downloads against a loopback HTTP server; nothing leaves the machine.</summary>
public class DatasetDownloadTests : IDisposable
{
    private static readonly string[] ToyFiles =
        ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

    private readonly TempFolder _temp = new();
    private readonly LoopbackServer _server = new();
    private readonly List<DataProgress> _reports = [];

    public void Dispose()
    {
        _server.Dispose();
        _temp.Dispose();
    }

    /// <summary>Writes the toy dataset (6 train, 4 test images) and returns each file's bytes.</summary>
    private Dictionary<string, byte[]> ToyBytes()
    {
        string source = _temp.Combine("source");
        Synthetic.WriteSplit(source, "train", 6, Synthetic.Labels(6, 3));
        Synthetic.WriteSplit(source, "t10k", 4, Synthetic.Labels(4, 3));
        return ToyFiles.ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(source, f)));
    }

    private static DatasetDescriptor Toy(Uri baseUri, Dictionary<string, byte[]> files, Func<string, byte[], FileChecksum>? checksum = null) => new()
    {
        Name = "toy",
        Title = "toy",
        FolderName = "toy",
        Train = new("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
        Test = new("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
        Labels = LabelMapping.Numbered(3),
        Checksums = files.ToDictionary(p => p.Key, p => (checksum ?? ((_, b) => Sha256(b)))(p.Key, p.Value)),
        Download = new DatasetDownload(baseUri, ToyFiles),
    };

    private static FileChecksum Sha256(byte[] bytes) => FileChecksum.Sha256(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));

    private DataSourceSettings Settings(DatasetDescriptor descriptor, Uri? mirror = null, TimeSpan? stall = null) => new()
    {
        CacheDir = _temp.Combine("cache"),
        Mirror = mirror,
        ExtraDatasets = [descriptor],
        StallTimeout = stall ?? TimeSpan.FromSeconds(30),
    };

    private CharacterDataset Load(DataSourceSettings settings, DatasetSplit split = DatasetSplit.Train, bool allowDownload = true, CancellationToken token = default) =>
        DatasetLoader.Load(new DatasetRequest("toy", AllowDownload: allowDownload), split, new SyncProgress(_reports.Add), settings, token);

    private string[] CacheFiles() => _temp.Files("cache");

    private void ServeAll(Dictionary<string, byte[]> files, string folder = "toy")
    {
        foreach (var (name, bytes) in files) _server.Serve($"{folder}/{name}", bytes);
    }

    [Fact]
    public void DownloadVerifiesCachesAndIsThenServedFromTheCache()
    {
        var files = ToyBytes();
        ServeAll(files);
        var settings = Settings(Toy(new Uri(_server.BaseUri, "toy/"), files));

        var train = Load(settings);
        var test = Load(settings, DatasetSplit.Test);

        Assert.Equal(6, train.Count);
        Assert.Equal(4, test.Count);
        Assert.Equal(Synthetic.Pixels(6, 4, 3), train.Images);
        Assert.Equal(ToyFiles.Select(f => Path.Combine("cache", "toy", f)).Order(), CacheFiles());
        Assert.All(ToyFiles, f => Assert.Equal(1, _server.Requests[$"/toy/{f}"]));
        Assert.Contains(_reports, r => r.Stage == DataStage.Downloading && r.Total == files[ToyFiles[0]].Length && r.Completed == r.Total);
        Assert.Contains(_reports, r => r.Stage == DataStage.Verifying);

        // Later loads verify the cache and download nothing.
        var location = DatasetLoader.Locate(new DatasetRequest("toy"), null, null, settings, default);
        Assert.Equal(DataSource.Cache, location.Source);
        Assert.Equal(6, Load(settings).Count);
        Assert.All(ToyFiles, f => Assert.Equal(1, _server.Requests[$"/toy/{f}"]));
    }

    [Fact]
    public void MirrorReplacesTheOfficialHost()
    {
        var files = ToyBytes();
        ServeAll(files, "toy");
        // The official host is unreachable (discard port); the mirror serves {mirror}/{folder}/{file}.
        var settings = Settings(Toy(new Uri("http://127.0.0.1:9/official/"), files), mirror: _server.BaseUri);
        Assert.Equal(6, Load(settings).Count);
        Assert.Equal(DataSource.Cache, DatasetLoader.Locate(new DatasetRequest("toy"), null, null, settings, default).Source);
    }

    [Fact]
    public void WrongChecksumFailsAndLeavesNothingInTheCache()
    {
        var files = ToyBytes();
        ServeAll(files);
        var settings = Settings(Toy(new Uri(_server.BaseUri, "toy/"), files, (_, _) => FileChecksum.Sha256(new string('0', 64))));

        var e = Assert.Throws<InvalidDataException>(() => Load(settings));
        Assert.Contains("failed verification", e.Message);
        Assert.Contains("expected 0000", e.Message);
        Assert.Empty(CacheFiles());
    }

    [Fact]
    public void ContentChecksumsAndMd5AreChecked()
    {
        var files = ToyBytes();
        ServeAll(files);
        // MNIST's published hashes are of the decompressed files; Fashion-MNIST's are MD5s of the .gz files.
        var settings = Settings(Toy(new Uri(_server.BaseUri, "toy/"), files, (name, bytes) => name.StartsWith("train")
            ? FileChecksum.ContentSha256(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Decompress(bytes))))
            : FileChecksum.Md5(Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(bytes)))));
        Assert.Equal(6, Load(settings).Count);
        Assert.Equal(DataSource.Cache, DatasetLoader.Locate(new DatasetRequest("toy"), null, null, settings, default).Source);
    }

    private static byte[] Decompress(byte[] gz)
    {
        using var output = new MemoryStream();
        using (var input = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress)) input.CopyTo(output);
        return output.ToArray();
    }

    [Fact]
    public void TruncatedTransferFailsAndLeavesNothingInTheCache()
    {
        var files = ToyBytes();
        ServeAll(files);
        _server.Serve("toy/train-labels-idx1-ubyte.gz", files["train-labels-idx1-ubyte.gz"], Misbehaviour.Truncate);
        var settings = Settings(Toy(new Uri(_server.BaseUri, "toy/"), files));

        var e = Assert.ThrowsAny<IOException>(() => Load(settings));
        Assert.Contains("train-labels-idx1-ubyte.gz", e.Message);
        // The file before it downloaded fine and may stay; the broken one must not, nor any temporary file.
        Assert.DoesNotContain(CacheFiles(), f => f.Contains("train-labels") || f.EndsWith(".part"));
    }

    [Fact]
    public void StalledTransferTimesOutAndLeavesNothingInTheCache()
    {
        var files = ToyBytes();
        ServeAll(files);
        _server.Serve("toy/train-images-idx3-ubyte.gz", files["train-images-idx3-ubyte.gz"], Misbehaviour.Stall);
        var settings = Settings(Toy(new Uri(_server.BaseUri, "toy/"), files), stall: TimeSpan.FromSeconds(1));

        var e = Assert.ThrowsAny<IOException>(() => Load(settings));
        Assert.Contains("stalled", e.Message);
        Assert.Empty(CacheFiles());
    }

    [Fact]
    public void CancellationStopsADownloadAndLeavesNothingInTheCache()
    {
        var files = ToyBytes();
        ServeAll(files);
        _server.Serve("toy/train-images-idx3-ubyte.gz", files["train-images-idx3-ubyte.gz"], Misbehaviour.Stall);
        var settings = Settings(Toy(new Uri(_server.BaseUri, "toy/"), files));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        Assert.ThrowsAny<OperationCanceledException>(() => Load(settings, token: cts.Token));
        Assert.Empty(CacheFiles());
    }

    [Fact]
    public void HttpErrorNamesTheUrlAndStatus()
    {
        var files = ToyBytes();
        var settings = Settings(Toy(new Uri(_server.BaseUri, "missing/"), files));
        var e = Assert.Throws<HttpRequestException>(() => Load(settings));
        Assert.Contains("/missing/train-images-idx3-ubyte.gz", e.Message);
        Assert.Contains("404", e.Message);
        Assert.Empty(CacheFiles());
    }

    [Fact]
    public void UnreachableHostNamesTheUrl()
    {
        var settings = Settings(Toy(new Uri("http://127.0.0.1:9/toy/"), ToyBytes()));
        var e = Assert.Throws<HttpRequestException>(() => Load(settings));
        Assert.StartsWith("download of http://127.0.0.1:9/toy/train-images-idx3-ubyte.gz failed", e.Message);
        Assert.Empty(CacheFiles());
    }

    [Fact]
    public void CachedFileWithWrongChecksumIsNotUsedAndIsDownloadedAgain()
    {
        var files = ToyBytes();
        ServeAll(files);
        var settings = Settings(Toy(new Uri(_server.BaseUri, "toy/"), files));
        Assert.Equal(6, Load(settings).Count);

        // Tamper with the cache: a valid IDX file, but not the one the checksum describes.
        string cached = _temp.Combine("cache", "toy", "train-labels-idx1-ubyte.gz");
        IdxWriter.WriteLabels(cached, [2, 2, 2, 2, 2, 2], gzip: true);
        Assert.Throws<FileNotFoundException>(() => Load(settings, allowDownload: false));
        Assert.Contains(_reports, r => r.Stage == DataStage.Warning && r.Message!.Contains("ignoring cached file") && r.Message.Contains(cached));

        var train = Load(settings);
        Assert.Equal([2, 2, 2], train.ClassCounts());
        Assert.Equal(2, _server.Requests["/toy/train-labels-idx1-ubyte.gz"]);
    }

    [Fact]
    public void ArchiveIsVerifiedExtractedRecordedAndRemoved()
    {
        var files = ToyBytes();
        byte[] zip;
        using (var buffer = new MemoryStream())
        {
            using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            {
                foreach (var (name, bytes) in files)
                {
                    using var entry = archive.CreateEntry($"gzip/{name}").Open();
                    entry.Write(bytes);
                }
                // Entries we do not want, one trying to climb out of the folder, are ignored.
                using (var evil = archive.CreateEntry("../../evil.txt").Open()) evil.Write("x"u8);
                using (var other = archive.CreateEntry("gzip/other-mapping.txt").Open()) other.Write("0 48"u8);
            }
            zip = buffer.ToArray();
        }
        _server.Serve("toy/all.zip", zip);
        var descriptor = Toy(new Uri(_server.BaseUri, "toy/"), files) with
        {
            Checksums = new Dictionary<string, FileChecksum>(),
            Download = new DatasetDownload(new Uri(_server.BaseUri, "toy/"), ToyFiles, "all.zip", Sha256(zip)),
        };
        var settings = Settings(descriptor);

        Assert.Equal(4, Load(settings, DatasetSplit.Test).Count);
        Assert.Equal(ToyFiles.Append(DatasetCache.ManifestName).Select(f => Path.Combine("cache", "toy", f)).Order(), CacheFiles());
        Assert.DoesNotContain(_temp.Files(), f => f.Contains("evil"));

        // The manifest vouches for the extracted files, and catches tampering.
        Assert.Equal(DataSource.Cache, DatasetLoader.Locate(new DatasetRequest("toy"), null, null, settings, default).Source);
        File.AppendAllText(_temp.Combine("cache", "toy", "t10k-images-idx3-ubyte.gz"), "junk");
        Assert.Equal(4, Load(settings, DatasetSplit.Test).Count);
        Assert.Equal(2, _server.Requests["/toy/all.zip"]);
    }

    [Fact]
    public void ArchiveWithWrongChecksumIsDiscarded()
    {
        var files = ToyBytes();
        _server.Serve("toy/all.zip", [1, 2, 3, 4]);
        var descriptor = Toy(new Uri(_server.BaseUri, "toy/"), files) with
        {
            Download = new DatasetDownload(new Uri(_server.BaseUri, "toy/"), ToyFiles, "all.zip", FileChecksum.Md5("00000000000000000000000000000000")),
        };
        var e = Assert.Throws<InvalidDataException>(() => Load(Settings(descriptor)));
        Assert.Contains("MD5", e.Message);
        Assert.Empty(CacheFiles());
    }

    [Fact]
    public void StaleTemporaryFilesAreCleanedButFreshOnesKept()
    {
        string folder = _temp.Combine("cache", "toy");
        Directory.CreateDirectory(folder);
        string stale = Path.Combine(folder, ".x.gz.abc.part"), fresh = Path.Combine(folder, ".y.gz.def.part");
        File.WriteAllText(stale, "");
        File.WriteAllText(fresh, "");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddDays(-2));
        DatasetDownloader.RemoveStaleParts(folder);
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh));
    }
}
