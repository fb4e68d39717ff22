using Crnn.MLNet.Training.Data;

namespace Crnn.MLNet.Training.Tests;

/// <summary>Real datasets for tests, from the folder named by <c>CRNN_DATA_DIR</c> (CI sets it; nothing is downloaded).</summary>
internal static class TestData
{
    /// <summary>The data directory, or null when <c>CRNN_DATA_DIR</c> is unset or missing.</summary>
    public static string? Dir
    {
        get
        {
            string? dir = Environment.GetEnvironmentVariable(DatasetLoader.DataDirEnvironmentVariable);
            return !string.IsNullOrWhiteSpace(dir) && Directory.Exists(dir) ? dir : null;
        }
    }

    /// <summary>Why a test needing <paramref name="folder"/> under the data directory cannot run, or null when it can.</summary>
    public static string? SkipReason(string folder)
    {
        string? dir = Environment.GetEnvironmentVariable(DatasetLoader.DataDirEnvironmentVariable);
        if (string.IsNullOrWhiteSpace(dir)) return $"{DatasetLoader.DataDirEnvironmentVariable} is not set; point it at the folder holding {folder}/ to run this test.";
        if (!Directory.Exists(Path.Combine(dir, folder))) return $"{DatasetLoader.DataDirEnvironmentVariable}='{dir}' has no {folder}/ folder.";
        return null;
    }
}

/// <summary>A fact that needs real MNIST (<c>CRNN_DATA_DIR/mnist</c>); skipped with the reason when it is absent.</summary>
public sealed class MnistFactAttribute : FactAttribute
{
    public MnistFactAttribute()
    {
        Skip = TestData.SkipReason("mnist");
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
