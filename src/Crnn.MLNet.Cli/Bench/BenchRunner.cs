using System.Diagnostics;
using System.Text.Json;
using Crnn.MLNet.Model;
using Crnn.MLNet.Training.Data;

namespace Crnn.MLNet.Cli.Bench;

/// <summary>Runs every step of <c>crnn bench</c> in one process: the machine's peak once, then each model on the same images in memory.</summary>
internal static class BenchRunner
{
    public static BenchSuite Run(BenchSettings settings, Action<string> progress)
    {
        var started = Stopwatch.StartNew();
        var date = DateTimeOffset.UtcNow;
        var machine = MachineInfo.Current();
        progress("machine peak: independent FMA and int8 dot-product chains on every core");
        var peak = MachinePeak.Measure(TimeSpan.FromSeconds(settings.PeakSeconds));
        progress($"loading {settings.Dataset.NameOrPath} (test split)");
        var dataset = DatasetLoader.Load(settings.Dataset, DatasetSplit.Test,
            new SyncProgress<DataProgress>(p => progress($"{p.Stage.ToString().ToLowerInvariant()} {p.Item}")));
        var reports = new List<BenchReport>();
        foreach (string modelPath in settings.ModelPaths)
        {
            string name = Path.GetFileName(modelPath);
            reports.Add(RunModel(settings, modelPath, dataset, machine, peak, date, message => progress($"{name}: {message}")));
        }
        LightGbmBench.Result? lightGbm = null;
        if (settings.LightGbmTrainImages > 0)
        {
            var train = DatasetLoader.Load(settings.Dataset, DatasetSplit.Train,
                new SyncProgress<DataProgress>(p => progress($"{p.Stage.ToString().ToLowerInvariant()} {p.Item}")));
            using var first = CrnnOnnxModel.Load(settings.ModelPaths[0]);
            lightGbm = LightGbmBench.Run(train, BenchImages.Create(dataset, first, settings.Images), settings.LightGbmTrainImages, progress);
        }
        return new BenchSuite(machine, peak, date, reports, lightGbm, started.Elapsed.TotalSeconds);
    }

    private static BenchReport RunModel(BenchSettings settings, string modelPath, CharacterDataset dataset, MachineInfo machine,
        MachinePeak.Result peak, DateTimeOffset date, Action<string> progress)
    {
        var started = Stopwatch.StartNew();
        using var model = CrnnOnnxModel.Load(modelPath);
        var images = BenchImages.Create(dataset, model, settings.Images);

        var (raw, rawMode, sweep) = RawOrtBench.Run(model, modelPath, images, settings.BatchSizes, progress);
        progress($"our pipeline from pixel vectors, {images.Count} images");
        var pipeline = PipelineBench.FromPixels(modelPath, images);
        progress($"stock ML.NET (ApplyOnnxModel), {images.Count} images");
        var stock = StockMlNetBench.Run(model, modelPath, images);
        progress($"prediction engine, {settings.LatencySamples} single images");
        var latency = PredictionEngineBench.Run(modelPath, images, settings.LatencySamples);

        progress($"writing {images.Count} PNG files (not timed)");
        ThroughputResult fromFiles, stockFromFiles;
        using (var pngs = PngFolder.Write(images))
        {
            progress($"our pipeline from PNG files, {images.Count} images");
            fromFiles = PipelineBench.FromFiles(modelPath, pngs.Paths, images);
            progress($"stock ML.NET from PNG files (LoadImages, ResizeImages, ExtractPixels, ApplyOnnxModel), {images.Count} images");
            stockFromFiles = StockMlNetBench.FromFiles(model, modelPath, pngs.Paths, images);
        }

        ThroughputResult? torch = null;
        string? skipped = null;
        if (settings.CheckpointPath is { } checkpoint)
        {
            progress($"TorchSharp eager, {images.Count} images");
            torch = TorchSharpBench.Run(checkpoint, images, raw.BatchSize);
        }
        else skipped = "no --checkpoint given (TorchSharp evaluates the network from a training checkpoint)";

        return new BenchReport
        {
            Model = modelPath,
            Dataset = dataset.Name,
            Images = images.Count,
            Date = date,
            Machine = machine,
            RawOrt = raw,
            RawOrtMode = rawMode,
            RawOrtWorkers = Environment.ProcessorCount,
            RawOrtSweep = sweep,
            Pipeline = pipeline,
            PipelineFromFiles = fromFiles,
            StockMlNet = stock,
            StockMlNetFromFiles = stockFromFiles,
            PredictionEngine = latency,
            TorchSharp = torch,
            TorchSharpSkipped = skipped,
            FlopsPerImage = FlopsPerImage(model.Metadata),
            Int8 = model.Metadata.Quantization is not null,
            Peak = peak,
            PeakMemoryBytes = Process.GetCurrentProcess().PeakWorkingSet64,
            Seconds = started.Elapsed.TotalSeconds,
        };
    }

    /// <summary>2 x the multiply-adds per image the exporter wrote into the metadata's architecture, when present.</summary>
    internal static double? FlopsPerImage(CrnnModelMetadata metadata) =>
        metadata.Architecture is { } a && a.TryGetValue("macsPerImage", out var macs) && macs.ValueKind == JsonValueKind.Number
            && macs.TryGetInt64(out long m) && m > 0 ? 2.0 * m : null;
}
