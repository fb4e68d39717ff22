namespace Crnn.MLNet.Cli.Batch;

/// <summary>One image of a batch job.</summary>
/// <param name="Path">The image as the results name it: the list's line as written, or the folder joined with the file's relative path.</param>
/// <param name="FilePath">Where to read it (a list's relative paths resolved against the list's folder).</param>
/// <param name="ShardKey">What <see cref="Shard"/> hashes: the list's line as written, or the path relative to the folder with '/' separators.</param>
internal sealed record BatchInput(string Path, string FilePath, string ShardKey);
