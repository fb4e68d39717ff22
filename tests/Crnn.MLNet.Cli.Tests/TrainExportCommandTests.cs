using System.Text.Json;

namespace Crnn.MLNet.Cli.Tests;

/// <summary><c>crnn train</c> and <c>crnn export</c> end to end on a few hundred MNIST images with a tiny model.</summary>
[Collection("torch")]
public sealed class TrainExportCommandTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private static readonly string[] Tiny = ["--widths", "8,16,24", "--convs-per-block", "1", "--hidden", "24", "--threads", "2"];

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CrnnCli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [RealDataFact]
    public void TrainWritesEverythingAndTheModelPredictsTheSamples()
    {
        string outDir = temp.Combine("run");
        var (code, output, err) = Run(["train", "--dataset", "mnist", "--limit", "1500", "--epochs", "2", "--batch-size", "32", "--real-crops", "0.3", "--out", outDir, .. Tiny]);
        Assert.True(code == 0, err);
        Assert.Contains("Test accuracy", output);
        foreach (var file in new[] { "checkpoint.ckpt", "history.json", "summary.json", "loss.png", "accuracy.png", "model.onnx" })
            Assert.True(File.Exists(Path.Combine(outDir, file)), file);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        Assert.Equal(10_000, summary.RootElement.GetProperty("testImages").GetInt32());
        Assert.Equal(0.3, summary.RootElement.GetProperty("realCrops").GetDouble());
        // Plain progress lines (not a terminal): one per epoch.
        Assert.Contains("epoch 1/2:", err);
        Assert.Contains("epoch 2/2:", err);

        // The exported model carries the run's test accuracy, and evaluating it in ONNX Runtime gives the same figure.
        double trained = summary.RootElement.GetProperty("testAccuracy").GetDouble();
        var (evalCode, evalOut, evalErr) = Run("evaluate", "--model", Path.Combine(outDir, "model.onnx"), "--dataset", "mnist", "--json");
        Assert.True(evalCode == 0, evalErr);
        using var metrics = JsonDocument.Parse(evalOut);
        Assert.Equal(trained, metrics.RootElement.GetProperty("microAccuracy").GetDouble(), 4);

        // Re-export from the checkpoint: same bytes as the model written by train.
        string again = temp.Combine("again.onnx");
        var (exportCode, _, exportErr) = Run("export", "--checkpoint", Path.Combine(outDir, "checkpoint.ckpt"), "--out", again);
        Assert.True(exportCode == 0, exportErr);
        Assert.Equal(File.ReadAllBytes(Path.Combine(outDir, "model.onnx")), File.ReadAllBytes(again));
    }

    [RealDataFact]
    public void TheCompactPresetSetsWhatTheCommandLineLeavesOpen()
    {
        var (code, _, err) = Run("train", "--dataset", "mnist", "--arch", "compact", "--limit", "200", "--epochs", "1", "--batch-size", "50",
            "--no-export", "--threads", "2", "--out", temp.Combine("compact"));
        Assert.True(code == 0, err);
        Assert.Contains("Model: conv 16-32-64 x2, BiLSTM 64, 10 classes", err);

        (code, _, err) = Run("train", "--dataset", "mnist", "--arch", "compact", "--hidden", "32", "--limit", "200", "--epochs", "1", "--batch-size", "50",
            "--no-export", "--threads", "2", "--out", temp.Combine("compact32"));
        Assert.True(code == 0, err);
        Assert.Contains("Model: conv 16-32-64 x2, BiLSTM 32, 10 classes", err);

        (code, _, err) = Run("train", "--dataset", "mnist", "--arch", "tiny", "--out", temp.Combine("tiny"));
        Assert.Equal(2, code);
        Assert.Contains("tiny", err);
    }

    [Fact]
    public void BadArgumentsGiveOneLineAndExitCodeTwo()
    {
        var (code, _, err) = Run(["train", "--dataset", "mnist", "--epochs", "0", "--out", temp.Combine("x"), .. Tiny]);
        Assert.Equal(2, code);
        Assert.Contains("epochs", err);
        Assert.Single(err.Trim().Split('\n'));

        (code, _, err) = Run("train", "--dataset", "mnist", "--widths", "8,x", "--out", temp.Combine("y"));
        Assert.Equal(2, code);
        Assert.Contains("--widths", err);
        Assert.False(Directory.Exists(temp.Combine("y")));
    }

    [Fact]
    public void UnknownDatasetIsNamed()
    {
        var (code, _, err) = Run("train", "--dataset", "no-such-set", "--out", temp.Combine("z"));
        Assert.NotEqual(0, code);
        Assert.Contains("no-such-set", err);
    }

    [Fact]
    public void ExportOfACorruptCheckpointFailsClearlyAndWritesNothing()
    {
        string ckpt = temp.Combine("bad.ckpt");
        File.WriteAllText(ckpt, "not a checkpoint");
        string onnx = temp.Combine("out.onnx");
        var (code, _, err) = Run("export", "--checkpoint", ckpt, "--out", onnx);
        Assert.Equal(1, code);
        Assert.Contains("bad.ckpt", err);
        Assert.Contains("not a Crnn.MLNet checkpoint", err);
        Assert.False(File.Exists(onnx));
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tmp"));
    }

    [RealDataFact]
    public void ResumeWithoutACheckpointSaysSo()
    {
        var (code, _, err) = Run(["train", "--dataset", "mnist", "--limit", "200", "--epochs", "1", "--resume", "--out", temp.Combine("none"), .. Tiny]);
        Assert.Equal(1, code);
        Assert.Contains("checkpoint not found", err);
    }
}
