using Crnn.MLNet.Training.Tests.Data;

namespace Crnn.MLNet.Training.Tests.Reliability;

/// <summary>
/// Faults while writing outputs: a full disk (simulated with ENOSPC's error code), a writer that fails half-way. The old file must survive whole, no temporary may be left, and the error must
/// say what happened.
/// </summary>
public sealed class AtomicFileFaultTests : IDisposable
{
    private const int Enospc = 28;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string[] Temporaries() => Directory.GetFiles(_temp.Path, "*.tmp");

    [Fact]
    public void Full_disk_keeps_the_old_file_and_says_the_disk_is_full()
    {
        string path = _temp.Combine("history.json");
        File.WriteAllText(path, "[1]");
        var e = Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[100_000]);
            throw new IOException("No space left on device", Enospc);
        }));
        Assert.Equal($"{path}: not written, the disk is full.", e.Message);
        Assert.Equal("[1]", File.ReadAllText(path));
        Assert.Empty(Temporaries());
    }

    [Fact]
    public void Writer_failing_half_way_keeps_the_old_file()
    {
        string path = _temp.Combine("checkpoint.ckpt");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[10_000]);
            throw new InvalidOperationException("boom");
        }));
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        Assert.Empty(Temporaries());
    }
}
