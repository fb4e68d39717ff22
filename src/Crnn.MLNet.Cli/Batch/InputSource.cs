namespace Crnn.MLNet.Cli.Batch;

/// <summary>
/// Where a batch job's images come from (<c>--input</c>): a folder walked recursively (<see cref="FolderInputSource"/>),
/// a file listing paths, or <c>-</c> for such a list on standard input (<see cref="PathListInputSource"/>). Inputs are
/// read lazily, one at a time, in an order that is the same every time the same input is read.
/// </summary>
internal abstract class InputSource
{
    /// <summary>For messages: "folder scans", "list paths.txt", "standard input".</summary>
    public abstract string Description { get; }

    /// <summary>Whether the inputs can be read a second time, to count them for progress (standard input cannot).</summary>
    public abstract bool CanCount { get; }

    public abstract IEnumerable<BatchInput> Enumerate();

    /// <summary>The inputs of <paramref name="shard"/> only.</summary>
    public IEnumerable<BatchInput> Enumerate(Shard shard) => shard.IsAll ? Enumerate() : Enumerate().Where(i => shard.Contains(i.ShardKey));

    /// <summary>Opens <c>--input</c>: a folder, a list file, or <c>-</c> (read through <paramref name="stdin"/>).</summary>
    public static InputSource Open(string spec, Func<TextReader> stdin)
    {
        if (spec == "-") return new PathListInputSource(null, stdin);
        if (Directory.Exists(spec)) return new FolderInputSource(spec);
        if (File.Exists(spec))
        {
            if (ImageFileTypes.IsImage(spec))
                throw new CliUsageException($"--input {spec}: this is an image; --input takes a folder, a file listing image paths, or - (recognise single images with 'crnn predict FILE...').");
            return new PathListInputSource(spec, null);
        }
        throw new FileNotFoundException($"--input {spec}: no such folder or file.", spec);
    }
}
