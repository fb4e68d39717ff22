using Crnn.MLNet.Training.Data;

namespace Crnn.MLNet.Cli.Tests;

/// <summary>Real datasets for tests, from the folder named by <c>CRNN_DATA_DIR</c> (CI sets it; nothing is downloaded).</summary>
internal static class TestData
{
    /// <summary>Why a test needing <paramref name="folder"/> under the data directory cannot run, or null when it can.</summary>
    public static string? SkipReason(string folder)
    {
        string? dir = Environment.GetEnvironmentVariable(DatasetLoader.DataDirEnvironmentVariable);
        if (string.IsNullOrWhiteSpace(dir)) return $"{DatasetLoader.DataDirEnvironmentVariable} is not set; point it at the folder holding {folder}/ to run this test.";
        if (!Directory.Exists(Path.Combine(dir, folder))) return $"{DatasetLoader.DataDirEnvironmentVariable}='{dir}' has no {folder}/ folder.";
        return null;
    }
}

/// <summary>A fact that needs a real dataset folder under <c>CRNN_DATA_DIR</c>; skipped with the reason when it is absent.</summary>
public sealed class RealDataFactAttribute : FactAttribute
{
    public RealDataFactAttribute(string folder = "mnist")
    {
        Skip = TestData.SkipReason(folder);
    }
}

/// <summary>A theory that needs a real dataset folder under <c>CRNN_DATA_DIR</c>; skipped with the reason when it is absent.</summary>
public sealed class RealDataTheoryAttribute : TheoryAttribute
{
    public RealDataTheoryAttribute(string folder = "mnist")
    {
        Skip = TestData.SkipReason(folder);
    }
}

/// <summary>A temporary folder deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "crnn-cli-tests-" + Guid.NewGuid().ToString("N"));

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
