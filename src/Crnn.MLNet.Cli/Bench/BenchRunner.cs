using System.Diagnostics;
using System.Text.Json;
using Crnn.MLNet.Model;
using Crnn.MLNet.Training.Data;

namespace Crnn.MLNet.Cli.Bench;

/// <summary>Runs every step of <c>crnn bench</c> in one process, on one model and one set of images in memory.</summary>
internal static class BenchRunner
{
    public static BenchReport Run(BenchSettings settings, Action<string> progress)
    {
        var started = Stopwatch.StartNew();
        var date = DateTimeOffset.UtcNow;
        progress("peak FLOP/s (fp32 MatMul in ONNX Runtime)");
        var (peak, matrix) = PeakFlops.Measure(settings.MatMulSize);

        using var model = CrnnOnnxModel.Load(settings.ModelPath);
        progress($"loading {settings.Dataset.NameOrPath} (test split)");
        var dataset = DatasetLoader.Load(settings.Dataset, DatasetSplit.Test,
            new SyncProgress<DataProgress>(p => progress($"{p.Stage.ToString().ToLowerInvariant()} {p.Item}")));
        var images = BenchImages.Create(dataset, model, settings.Images);

        var (raw, rawMode, sweep) = RawOrtBench.Run(model, settings.ModelPath, images, settings.BatchSizes, progress);
        progress($"our pipeline from pixel vectors, {images.Count} images");
        var pipeline = PipelineBench.FromPixels(settings.ModelPath, images);
        progress($"stock ML.NET (ApplyOnnxModel), {images.Count} images");
        var stock = StockMlNetBench.Run(model, settings.ModelPath, images);
        progress($"prediction engine, {settings.LatencySamples} single images");
        var latency = PredictionEngineBench.Run(settings.ModelPath, images, settings.LatencySamples);

        progress($"writing {images.Count} PNG files (not timed)");
        ThroughputResult fromFiles;
        using (var pngs = PngFolder.Write(images))
        {
            progress($"our pipeline from PNG files, {images.Count} images");
            fromFiles = PipelineBench.FromFiles(settings.ModelPath, pngs.Paths, images);
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
            Model = settings.ModelPath,
            Dataset = dataset.Name,
            Images = images.Count,
            Date = date,
            Machine = MachineInfo.Current(),
            RawOrt = raw,
            RawOrtMode = rawMode,
            RawOrtWorkers = Environment.ProcessorCount,
            RawOrtSweep = sweep,
            Pipeline = pipeline,
            PipelineFromFiles = fromFiles,
            StockMlNet = stock,
            PredictionEngine = latency,
            TorchSharp = torch,
            TorchSharpSkipped = skipped,
            FlopsPerImage = FlopsPerImage(model.Metadata),
            PeakFlopsPerSecond = peak,
            PeakFlopsMatrixSize = matrix,
            PeakMemoryBytes = Process.GetCurrentProcess().PeakWorkingSet64,
            Seconds = started.Elapsed.TotalSeconds,
        };
    }

    /// <summary>2 x the multiply-adds per image the exporter wrote into the metadata's architecture, when present.</summary>
    internal static double? FlopsPerImage(CrnnModelMetadata metadata) =>
        metadata.Architecture is { } a && a.TryGetValue("macsPerImage", out var macs) && macs.ValueKind == JsonValueKind.Number
            && macs.TryGetInt64(out long m) && m > 0 ? 2.0 * m : null;
}
