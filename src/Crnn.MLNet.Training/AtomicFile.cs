namespace Crnn.MLNet.Training;

/// <summary>Writes files so that readers see either the old content or the complete new one, never a part.</summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes through <paramref name="write"/> into a temporary file beside <paramref name="path"/>,
    /// flushes it to disk, then renames it over <paramref name="path"/>. On failure the temporary
    /// file is removed and any existing file is left as it was.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        RemoveStaleTemporaries(dir, Path.GetFileName(full));
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e)
        {
            TryDelete(temp);
            if (e is IOException io && IsDiskFull(io))
                throw new IOException($"{full}: not written, the disk is full.", e);
            if (e is UnauthorizedAccessException)
                throw new UnauthorizedAccessException($"{full}: not written, the folder is not writable.", e);
            throw;
        }
    }

    /// <summary>Size of each write of <see cref="Write(string, ReadOnlySpan{byte}, Action{long})"/>.</summary>
    public const int ChunkSize = 1 << 20;

    /// <summary>
    /// Writes <paramref name="content"/> atomically in chunks of <see cref="ChunkSize"/>, calling
    /// <paramref name="onChunk"/> with the bytes written so far after each (it may throw to abort).
    /// </summary>
    public static void Write(string path, ReadOnlySpan<byte> content, Action<long>? onChunk = null)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new IOException($"cannot write '{path}': it is a folder");
        string folder = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"cannot write '{path}': folder '{folder}' does not exist");
        // A span cannot be captured by the lambda of Write(path, Action<Stream>), so copy once.
        byte[] bytes = content.ToArray();
        Write(full, stream =>
        {
            long written = 0;
            while (written < bytes.Length)
            {
                int n = (int)Math.Min(ChunkSize, bytes.Length - written);
                stream.Write(bytes, (int)written, n);
                written += n;
                onChunk?.Invoke(written);
            }
        });
    }

    /// <summary>Writes all bytes atomically.</summary>
    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));

    /// <summary>Writes text (UTF-8) atomically.</summary>
    public static void WriteAllText(string path, string text) => Write(path, s =>
    {
        using var w = new StreamWriter(s, leaveOpen: true);
        w.Write(text);
    });

    private static bool IsDiskFull(IOException e) => (e.HResult & 0xFFFF) is 28 or 112; // ENOSPC, ERROR_DISK_FULL

    /// <summary>
    /// Deletes temporary files of <paramref name="fileName"/> left by a writer that was killed mid-write (SIGKILL, power
    /// loss). A writer holds its temporary open without sharing (an exclusive lock) until it is renamed, so a temporary
    /// that can be opened exclusively, and is more than a second old, has no writer any more. (Process ids are not
    /// used to decide: they are reused.)
    /// </summary>
    public static void RemoveStaleTemporaries(string dir, string fileName)
    {
        string[] candidates;
        try { candidates = Directory.GetFiles(dir, $".{fileName}.*.tmp"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        foreach (string temp in candidates)
        {
            try
            {
                if (File.GetLastWriteTimeUtc(temp) > DateTime.UtcNow - StaleAfter) continue;
                using (new FileStream(temp, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // still being written, or gone already
            }
            TryDelete(temp);
        }
    }

    private static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(1);

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
