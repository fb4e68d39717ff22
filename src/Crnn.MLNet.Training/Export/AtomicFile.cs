namespace Crnn.MLNet.Training.Export;

/// <summary>
/// Writes a file all at once or not at all: the content goes to a temporary file in the target's
/// folder (same file system, so the final rename is atomic), is flushed to disk, then renamed over
/// the target. On any failure the temporary file is deleted and an existing target is untouched.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Size of each write; <paramref name="onChunk"/> of <see cref="Write"/> is called after each.</summary>
    public const int ChunkSize = 1 << 20;

    /// <param name="path">Target file.</param>
    /// <param name="content">Bytes to write.</param>
    /// <param name="onChunk">Called with the number of bytes written so far, after each chunk (may throw to abort).</param>
    public static void Write(string path, ReadOnlySpan<byte> content, Action<long>? onChunk = null)
    {
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no parent folder", nameof(path));
        if (Directory.Exists(full)) throw new IOException($"cannot write '{path}': it is a folder");
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"cannot write '{path}': folder '{folder}' does not exist");
        string temp = TempPathFor(full);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.None))
            {
                long written = 0;
                while (written < content.Length)
                {
                    int n = (int)Math.Min(ChunkSize, content.Length - written);
                    stream.Write(content.Slice((int)written, n));
                    written += n;
                    onChunk?.Invoke(written);
                }
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>A hidden, unique temporary name next to <paramref name="fullPath"/>, ending in <c>.tmp</c>.</summary>
    internal static string TempPathFor(string fullPath) =>
        Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
