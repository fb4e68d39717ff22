namespace Crnn.MLNet.Cli.Bench;

/// <summary>The bench images written as grayscale PNG files into a temporary folder, deleted on dispose.</summary>
internal sealed class PngFolder : IDisposable
{
    private PngFolder(string folder, string[] paths)
    {
        Folder = folder;
        Paths = paths;
    }

    public string Folder { get; }
    public IReadOnlyList<string> Paths { get; }

    public static PngFolder Write(BenchImages images)
    {
        string folder = Path.Combine(Path.GetTempPath(), "crnn-bench-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        var paths = new string[images.Count];
        try
        {
            using var encoder = new GrayPng(images.Width, images.Height);
            for (int i = 0; i < images.Count; i++)
            {
                paths[i] = Path.Combine(folder, $"{i:D5}.png");
                using var png = encoder.Encode(images.Data.Images, i);
                using var file = File.Create(paths[i]);
                png.SaveTo(file);
            }
        }
        catch
        {
            TryDelete(folder);
            throw;
        }
        return new PngFolder(folder, paths);
    }

    public void Dispose() => TryDelete(Folder);

    private static void TryDelete(string folder)
    {
        try { Directory.Delete(folder, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
