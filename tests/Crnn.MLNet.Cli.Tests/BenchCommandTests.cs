using System.Reflection;
using System.Text.Json;
using Crnn.MLNet.Cli;
using Crnn.MLNet.Tests.Support;
using Crnn.MLNet.Training.Data;

namespace Crnn.MLNet.Cli.Tests;

public class BenchCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = CrnnCli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    /// <summary>A tiny test split of 28 x 28 images (light strokes on black) in an IDX folder.</summary>
    private static string Dataset(TempDir dir, int count, int trainCount = 0)
    {
        var rng = new Random(3);
        var pixels = new byte[count * 784];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = i % 10;
            int x = rng.Next(8, 20);
            for (int y = 6; y < 22; y++) pixels[i * 784 + y * 28 + x] = pixels[i * 784 + y * 28 + x + 1] = 255;
        }
        string folder = dir.File("data");
        Directory.CreateDirectory(folder);
        var data = new CharacterDataset("tiny", pixels, labels, 28, 28, TestModels.Digits);
        IdxWriter.WriteSplit(folder, DatasetSplit.Test, data);
        if (trainCount > 0)
        {
            var index = Enumerable.Range(0, trainCount).Select(i => i % count).ToArray();
            IdxWriter.WriteSplit(folder, DatasetSplit.Train, data.Subset(index));
        }
        return folder;
    }

    private static string[] TinyBench(string model, string data, params string[] more) =>
        ["bench", "--model", model, "--dataset", data, "--images", "24", "--latency-samples", "5", "--batch-sizes", "1", "8", "--peak-seconds", "0.01", .. more];

    [Fact]
    public void Json_has_every_step_flops_memory_and_machine()
    {
        using var dir = new TempDir();
        string model = TestModels.WriteTemp(dir, TestModels.Build());
        var loaded = new List<string>();
        void OnLoad(object? sender, AssemblyLoadEventArgs e) { lock (loaded) loaded.Add(e.LoadedAssembly.GetName().Name ?? ""); }
        AppDomain.CurrentDomain.AssemblyLoad += OnLoad;
        (int code, string output, string err) result;
        try { result = Run(TinyBench(model, Dataset(dir, 30), "--json")); }
        finally { AppDomain.CurrentDomain.AssemblyLoad -= OnLoad; }
        var (code, output, err) = result;

        Assert.True(code == 0, err);
        Assert.Contains("bench: ", err); // progress goes to stderr, the report alone to stdout
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        foreach (var step in new[] { "rawOrt", "pipeline", "pipelineFromFiles", "stockMlNet", "stockMlNetFromFiles", "predictionEngine" })
            Assert.True(root.GetProperty(step).GetDouble() > 0, step);
        Assert.Equal(24, root.GetProperty("images").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("torchSharp").ValueKind);
        Assert.Contains("--checkpoint", root.GetProperty("torchSharpSkipped").GetString());
        Assert.True(root.GetProperty("predictionEngineMedianMicroseconds").GetDouble() > 0);
        Assert.True(root.GetProperty("predictionEngineP99Microseconds").GetDouble() >= root.GetProperty("predictionEngineMedianMicroseconds").GetDouble());
        // The tiny model's metadata has no architecture, so its FLOPs are unknown rather than made up.
        Assert.Equal(JsonValueKind.Null, root.GetProperty("flopsPerImage").ValueKind);
        Assert.True(root.GetProperty("peakFlopsPerSecond").GetDouble() > 0);
        var peak = root.GetProperty("peak");
        Assert.Equal(root.GetProperty("peakFlopsPerSecond").GetDouble(), peak.GetProperty("fp32FlopsPerSecond").GetDouble());
        Assert.True(peak.GetProperty("int8OpsPerSecond").GetDouble() > 0);
        Assert.Equal(Environment.ProcessorCount, peak.GetProperty("threads").GetInt32());
        Assert.False(root.GetProperty("int8").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("rawOrtShareOfPeak").ValueKind); // no FLOP count, no share
        Assert.True(root.GetProperty("peakMemoryBytes").GetInt64() > 0);
        Assert.Contains(root.GetProperty("batchSizes").GetProperty("rawOrt").GetInt32(), new[] { 1, 8 });
        // Both ways of using the cores, at each batch size; the reference is the fastest of them.
        Assert.Contains(root.GetProperty("rawOrtMode").GetString(), new[] { "sequential", "dataParallel" });
        Assert.Equal(Environment.ProcessorCount, root.GetProperty("rawOrtDataParallelRuns").GetInt32());
        var points = new List<(string Mode, int Batch, double ImagesPerSecond)>();
        foreach (var (sweep, mode) in new[] { ("rawOrtBatchSweep", "sequential"), ("rawOrtDataParallelSweep", "dataParallel") })
        {
            var sizes = root.GetProperty(sweep).EnumerateObject().ToList();
            Assert.Equal(["1", "8"], sizes.Select(s => s.Name));
            Assert.All(sizes, s => Assert.True(s.Value.GetDouble() > 0, $"{sweep} {s.Name}"));
            points.AddRange(sizes.Select(s => (mode, int.Parse(s.Name), s.Value.GetDouble())));
        }
        var best = points.MaxBy(p => p.ImagesPerSecond);
        Assert.Equal(best.Mode, root.GetProperty("rawOrtMode").GetString());
        Assert.Equal(best.Batch, root.GetProperty("batchSizes").GetProperty("rawOrt").GetInt32());
        // Batch 1 in the sweep gives the figures that explain pipeline / stockMlNet.
        var analysis = root.GetProperty("analysis");
        Assert.Equal(root.GetProperty("rawOrtBatchSweep").GetProperty("1").GetDouble(), analysis.GetProperty("rawOrtBatchOne").GetDouble());
        // The JSON rounds images per second to 0.1 and ratios to 0.001, hence the relative tolerance.
        Assert.InRange(analysis.GetProperty("batchingGain").GetDouble()
            / (root.GetProperty("rawOrt").GetDouble() / analysis.GetProperty("rawOrtBatchOne").GetDouble()), 0.995, 1.005);
        Assert.InRange(analysis.GetProperty("rawOrtOverStockMlNet").GetDouble()
            / (root.GetProperty("rawOrt").GetDouble() / root.GetProperty("stockMlNet").GetDouble()), 0.995, 1.005);
        Assert.Equal(4, root.GetProperty("goals").EnumerateObject().Count());
        Assert.True(root.GetProperty("machine").GetProperty("logicalCores").GetInt32() > 0);
        Assert.False(string.IsNullOrEmpty(root.GetProperty("machine").GetProperty("cpu").GetString()));
        Assert.True(DateTimeOffset.TryParse(root.GetProperty("date").GetString(), out _));
        // Every step scored the same images, so they agree on accuracy (the pixel-vector ones exactly).
        var accuracy = root.GetProperty("accuracy");
        Assert.Equal(accuracy.GetProperty("rawOrt").GetDouble(), accuracy.GetProperty("pipeline").GetDouble());
        Assert.Equal(accuracy.GetProperty("rawOrt").GetDouble(), accuracy.GetProperty("stockMlNet").GetDouble(), 3);
        // Stock ML.NET's image transforms on the PNG files normalise exactly as its Expression does on the pixel vectors.
        Assert.Equal(accuracy.GetProperty("stockMlNet").GetDouble(), accuracy.GetProperty("stockMlNetFromFiles").GetDouble(), 3);
        Assert.DoesNotContain(loaded, name => name.StartsWith("TorchSharp", StringComparison.Ordinal));
    }

    [Fact]
    public void Text_report_is_a_table_with_the_goals()
    {
        using var dir = new TempDir();
        string model = TestModels.WriteTemp(dir, TestModels.Build());
        var (code, output, err) = Run(TinyBench(model, Dataset(dir, 24)));

        Assert.True(code == 0, err);
        foreach (var row in new[] { "rawOrt", "pipeline ", "pipelineFromFiles", "stockMlNet", "predictionEngine", "torchSharp" })
            Assert.Contains(row, output);
        Assert.Contains("pipeline / rawOrt", output);
        Assert.Contains("(used)", output);
        Assert.Contains("batching gain", output);
        Assert.Contains("GFLOP/s (FMA", output);
        Assert.Contains("stockMlNetFromFiles", output);
    }

    [Fact]
    public void Several_models_share_one_machine_and_peak_and_a_plot_is_drawn()
    {
        using var dir = new TempDir();
        string a = TestModels.WriteTemp(dir, TestModels.Build(seed: 1), "a.onnx");
        string b = TestModels.WriteTemp(dir, TestModels.Build(seed: 2), "b.onnx");
        string png = dir.File("frontier.png");
        var (code, output, err) = Run(["bench", "--model", a, "--model", b, "--dataset", Dataset(dir, 24, trainCount: 40), "--images", "24", "--latency-samples", "3",
            "--batch-sizes", "8", "--peak-seconds", "0.01", "--lightgbm", "--lightgbm-train-images", "30", "--plot", png, "--json"]);
        Assert.True(code == 0, err);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.True(root.GetProperty("machine").GetProperty("logicalCores").GetInt32() > 0);
        Assert.True(root.GetProperty("peak").GetProperty("fp32FlopsPerSecond").GetDouble() > 0);
        var models = root.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal([a, b], models.Select(m => m.GetProperty("model").GetString()));
        Assert.All(models, m => Assert.True(m.GetProperty("pipeline").GetDouble() > 0));
        Assert.All(models, m => Assert.False(m.TryGetProperty("machine", out _)));
        var gbm = root.GetProperty("lightGbmOnPixels");
        Assert.True(gbm.GetProperty("imagesPerSecond").GetDouble() > 0);
        Assert.Equal(30, gbm.GetProperty("trainImages").GetInt32());
        Assert.True(new FileInfo(png).Length > 1000);
        Assert.Equal(2, Run("bench", "--model", a, "--model", b, "--checkpoint", dir.File("x.ckpt")).Code);
    }

    [Fact]
    public void Bad_counts_and_a_missing_checkpoint_are_usage_errors()
    {
        using var dir = new TempDir();
        string model = TestModels.WriteTemp(dir, TestModels.Build());
        Assert.Equal(2, Run("bench", "--model", model, "--images", "0").Code);
        Assert.Equal(2, Run("bench", "--model", model, "--checkpoint", dir.File("none.ckpt")).Code);
    }
}
