using Crnn.MLNet.Training.Tests.Data;

namespace Crnn.MLNet.Training.Tests.Reliability;

/// <summary>
/// A writer killed mid-write leaves its temporary behind; the next write of the same file removes it, but never the
/// temporary of a writer that is still at work (it holds the file open exclusively) nor a brand-new one.
/// </summary>
public sealed class AtomicFileStaleTemporaryTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Temporary(string target, TimeSpan age)
    {
        string path = _temp.Combine($".{target}.{Random.Shared.Next(100, 99999)}.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(path, "partial");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
        return path;
    }

    [Fact]
    public void Temporaries_of_a_killed_writer_are_removed_by_the_next_write_but_not_those_of_live_ones()
    {
        string dead = Temporary("summary.json", TimeSpan.FromMinutes(1));
        string live = Temporary("summary.json", TimeSpan.FromMinutes(1));
        string fresh = Temporary("summary.json", TimeSpan.Zero);
        string other = Temporary("history.json", TimeSpan.FromMinutes(1));
        using (new FileStream(live, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            AtomicFile.WriteAllText(_temp.Combine("summary.json"), "{}");

        Assert.False(File.Exists(dead), "a temporary nobody holds is stale");
        Assert.True(File.Exists(live), "a temporary held open is being written");
        Assert.True(File.Exists(fresh), "a brand-new temporary may not be locked yet");
        Assert.True(File.Exists(other), "only the temporaries of the file being written are touched");
        Assert.Equal("{}", File.ReadAllText(_temp.Combine("summary.json")));
    }
}
