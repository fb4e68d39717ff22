namespace Crnn.MLNet.Cli.Batch;

/// <summary>
/// A batch job's JSON-lines results, open for writing by this process alone (an exclusive lock, so a second job on the
/// same file fails instead of interleaving rows). Rows are appended a whole chunk per write, unbuffered; a checkpoint
/// flushes them to disk. A process killed mid-write can leave at most one unfinished last line, which resuming cuts.
/// </summary>
internal sealed class ResultsFile : IDisposable
{
    private readonly FileStream _file;

    private ResultsFile(FileStream file, string path)
    {
        _file = file;
        Path = path;
    }

    public string Path { get; }

    /// <summary>Creates a new results file (<paramref name="create"/>) or opens the existing one to resume it.</summary>
    public static ResultsFile Open(string path, bool create)
    {
        try
        {
            // bufferSize 0: every Append is one write of whole lines, never split by a buffer.
            var file = new FileStream(path, create ? FileMode.CreateNew : FileMode.Open, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
            return new ResultsFile(file, path);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new IOException($"{path}: cannot open the results for writing (is another crnn job writing them?): {e.Message}", e);
        }
    }

    /// <summary>The file, for reading what an earlier run wrote before resuming.</summary>
    public Stream Stream => _file;

    public long Length => _file.Length;

    /// <summary>Cuts the file to <paramref name="length"/> bytes and appends from there.</summary>
    public void Truncate(long length)
    {
        _file.SetLength(length);
        _file.Position = length;
    }

    public void Append(byte[] lines) => _file.Write(lines);

    /// <summary>Flushes what was appended to the disk (fsync).</summary>
    public void Checkpoint() => _file.Flush(flushToDisk: true);

    public void Dispose() => _file.Dispose();
}
