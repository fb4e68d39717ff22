namespace Crnn.MLNet.Cli.Batch;

/// <summary>
/// The images under a folder, at any depth: files with an image extension (<see cref="ImageFileTypes"/>), in ordinal
/// order of their names, a folder's files before its subfolders. Hidden entries (names starting with '.') and
/// symbolic links to folders are skipped. Only one folder's names are held at a time, so memory follows the largest
/// single folder, not the whole tree.
/// </summary>
internal sealed class FolderInputSource(string root) : InputSource
{
    public override string Description => $"folder {root}";

    public override bool CanCount => true;

    private static readonly EnumerationOptions s_listing = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = false,
        AttributesToSkip = FileAttributes.Hidden,
        ReturnSpecialDirectories = false,
    };

    public override IEnumerable<BatchInput> Enumerate()
    {
        // Depth first with an explicit stack of relative folders ("" is the root); children pushed in reverse order.
        var pending = new Stack<string>();
        pending.Push("");
        while (pending.Count > 0)
        {
            string relative = pending.Pop();
            var (files, folders) = List(relative);
            foreach (string name in files)
            {
                string rel = relative.Length == 0 ? name : Path.Join(relative, name);
                string path = Path.Join(root, rel);
                yield return new BatchInput(path, path, rel.Replace(Path.DirectorySeparatorChar, '/'));
            }
            for (int i = folders.Count - 1; i >= 0; i--)
                pending.Push(relative.Length == 0 ? folders[i] : Path.Join(relative, folders[i]));
        }
    }

    private (List<string> Files, List<string> Folders) List(string relative)
    {
        string folder = relative.Length == 0 ? root : Path.Join(root, relative);
        var files = new List<string>();
        var folders = new List<string>();
        try
        {
            foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos("*", s_listing))
            {
                if (entry is DirectoryInfo)
                {
                    // Not followed: a link back up the tree would never end.
                    if ((entry.Attributes & FileAttributes.ReparsePoint) == 0) folders.Add(entry.Name);
                }
                else if (ImageFileTypes.IsImage(entry.Name)) files.Add(entry.Name);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"--input {root}: cannot list folder '{folder}': {e.Message}", e);
        }
        files.Sort(StringComparer.Ordinal);
        folders.Sort(StringComparer.Ordinal);
        return (files, folders);
    }
}
