using System.Text.Json;

namespace Crnn.MLNet.Cli.Tests;

/// <summary>
/// The models in models/ hold their accuracy floors on the full test splits, evaluated through the
/// ML.NET pipeline exactly as <c>crnn evaluate</c> does (the figures users are promised).
/// </summary>
public sealed class ShippedModelTests
{
    private static string RepoFile(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Crnn.MLNet.sln")))
                return Path.Combine([dir.FullName, .. parts]);
        throw new InvalidOperationException("repository root (Crnn.MLNet.sln) not found above the test assembly");
    }

    private static JsonElement Evaluate(string model, string dataset)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CrnnCli.Run(["evaluate", "--model", model, "--dataset", dataset, "--json"], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        return JsonDocument.Parse(stdout.ToString()).RootElement.Clone();
    }

    [RealDataFact("mnist")]
    public void MnistModelReachesItsFloorOnTheFullTestSet()
    {
        var metrics = Evaluate(RepoFile("models", "mnist-crnn.onnx"), "mnist");
        Assert.Equal(10_000, metrics.GetProperty("count").GetInt32());
        double micro = metrics.GetProperty("microAccuracy").GetDouble();
        Assert.True(micro >= 0.995, $"MNIST test accuracy {micro:P2} is below the 99.5% floor");
    }

    [RealDataFact("emnist47")]
    public void Emnist47ModelReachesItsFloorOnTheFullTestSet()
    {
        string folder = Path.Combine(Environment.GetEnvironmentVariable("CRNN_DATA_DIR")!, "emnist47");
        var metrics = Evaluate(RepoFile("models", "emnist47-crnn.onnx"), folder);
        Assert.Equal(23_265, metrics.GetProperty("count").GetInt32());
        double micro = metrics.GetProperty("microAccuracy").GetDouble();
        Assert.True(micro >= 0.90, $"EMNIST-47 test accuracy {micro:P2} is below the 90% floor");
        Assert.Equal(47, metrics.GetProperty("perClass").GetArrayLength());
    }
}
