using Crnn.MLNet.Training.Data;
using Crnn.MLNet.Training.Tests.Data;

namespace Crnn.MLNet.Training.Tests.Reliability;

/// <summary>
/// Names that come from users, catalogs or archives never steer a write outside the folder meant for it.
/// (Archive entries with '../' are covered by the download tests, hash checks of cached files as well.)
/// </summary>
public sealed class PathSafetyTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("../evil")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("/etc/passwd")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("name\0.gz")]
    public void Unsafe_names_are_refused_for_cache_files_and_folders(string name)
    {
        Assert.False(DatasetCache.IsSafeName(name));
        var e = Assert.Throws<InvalidDataException>(() => DatasetCache.Inside(_temp.Path, name));
        Assert.Contains("refusing to write", e.Message);
        Assert.Throws<ArgumentException>(() => DatasetCache.Folder(_temp.Path, name));
        Assert.Throws<InvalidDataException>(() => DatasetCache.TempFile(_temp.Path, name));
    }

    [Fact]
    public void Safe_names_stay_directly_inside_their_folder()
    {
        string path = DatasetCache.Inside(_temp.Path, "train-images-idx3-ubyte.gz");
        Assert.Equal(Path.GetFullPath(_temp.Path), Path.GetDirectoryName(path));
        string folder = DatasetCache.Folder(_temp.Path, "emnist");
        Assert.Equal(Path.GetFullPath(_temp.Path), Path.GetDirectoryName(folder));
    }

    [Fact]
    public void Manifest_lines_with_unsafe_names_are_ignored()
    {
        string folder = _temp.Combine("cache");
        Directory.CreateDirectory(folder);
        string hash = new('a', 64);
        File.WriteAllLines(Path.Combine(folder, DatasetCache.ManifestName), [$"{hash}  ../../evil", $"{hash}  good.gz", $"{hash}  /abs"]);
        var manifest = DatasetCache.ReadManifest(folder);
        Assert.Equal(["good.gz"], manifest.Keys);
    }
}
