namespace Crnn.MLNet.Cli.Bench;

/// <summary>Everything one <c>crnn bench</c> run measured.</summary>
internal sealed record BenchReport
{
    public required string Model { get; init; }
    public required string Dataset { get; init; }
    public required int Images { get; init; }
    public required DateTimeOffset Date { get; init; }
    public required MachineInfo Machine { get; init; }

    public required ThroughputResult RawOrt { get; init; }
    /// <summary>How the <see cref="RawOrt"/> row spread its runs over the cores (the fastest of the sweep).</summary>
    public required RawOrtMode RawOrtMode { get; init; }

    /// <summary>Concurrent runs in <see cref="Bench.RawOrtMode.DataParallel"/> mode (one per logical core).</summary>
    public required int RawOrtWorkers { get; init; }

    public required IReadOnlyList<RawOrtPoint> RawOrtSweep { get; init; }
    public required ThroughputResult Pipeline { get; init; }
    public required ThroughputResult PipelineFromFiles { get; init; }
    public required ThroughputResult StockMlNet { get; init; }

    /// <summary>Stock ML.NET's image transforms and <c>ApplyOnnxModel</c> on the same PNG files as <see cref="PipelineFromFiles"/>.</summary>
    public required ThroughputResult StockMlNetFromFiles { get; init; }
    public required LatencyResult PredictionEngine { get; init; }
    public ThroughputResult? TorchSharp { get; init; }
    public string? TorchSharpSkipped { get; init; }

    /// <summary>Model FLOPs per image (2 x multiply-adds), or null when the model does not say.</summary>
    public double? FlopsPerImage { get; init; }

    /// <summary>Whether the model is int8 (written by <c>crnn quantize</c>): its share is of the int8 peak.</summary>
    public required bool Int8 { get; init; }

    /// <summary>The machine's measured arithmetic peak (shared by every model of a run).</summary>
    public required MachinePeak.Result Peak { get; init; }
    public required long PeakMemoryBytes { get; init; }
    public required double Seconds { get; init; }

    /// <summary>The peak this model's arithmetic runs against: int8 dot products for an int8 model, fp32 FMAs otherwise.</summary>
    public double PeakOpsPerSecond => Int8 ? Peak.Int8OpsPerSecond : Peak.Fp32FlopsPerSecond;

    /// <summary>Raw ONNX Runtime's arithmetic rate (model operations x images per second) as a share of <see cref="PeakOpsPerSecond"/>.</summary>
    public double? RawOrtShareOfPeak => FlopsPerImage is > 0 && PeakOpsPerSecond > 0 ? FlopsPerImage * RawOrt.ImagesPerSecond / PeakOpsPerSecond : null;

    public double PipelineOverRawOrt => Pipeline.ImagesPerSecond / RawOrt.ImagesPerSecond;
    public double PipelineOverStockMlNet => Pipeline.ImagesPerSecond / StockMlNet.ImagesPerSecond;
    public double PipelineFromFilesOverStockMlNetFromFiles => PipelineFromFiles.ImagesPerSecond / StockMlNetFromFiles.ImagesPerSecond;

    /// <summary>Raw ONNX Runtime one image per run, one run at a time (what stock ML.NET's runs cost), when the sweep had batch 1.</summary>
    public double? RawOrtBatchOne => RawOrtSweep.FirstOrDefault(s => s is { Mode: RawOrtMode.Sequential, BatchSize: 1 })?.ImagesPerSecond;

    /// <summary>What batching (and data parallelism) is worth to ONNX Runtime on this model: best over one image per run.</summary>
    public double? BatchingGain => RawOrt.ImagesPerSecond / RawOrtBatchOne;

    /// <summary>Stock ML.NET against the same runs of one image without ML.NET around them: its per-row overhead.</summary>
    public double? StockMlNetOverRawOrtBatchOne => StockMlNet.ImagesPerSecond / RawOrtBatchOne;

    /// <summary>The most <see cref="PipelineOverStockMlNet"/> could be if the pipeline matched raw ONNX Runtime exactly.</summary>
    public double RawOrtOverStockMlNet => RawOrt.ImagesPerSecond / StockMlNet.ImagesPerSecond;

    /// <summary>The goals, as (name, ratio, least, most); a null ratio could not be computed.</summary>
    public IEnumerable<(string Name, double? Ratio, double Least, double? Most)> Goals()
    {
        yield return ("pipeline / rawOrt", PipelineOverRawOrt, 0.9, null);
        yield return ("pipeline / stockMlNet", PipelineOverStockMlNet, 1.5, null);
        yield return ("pipelineFromFiles / stockMlNetFromFiles", PipelineFromFilesOverStockMlNetFromFiles, 1.5, null);
        // Above 100% would mean the model's operation count or the peak is wrong.
        yield return ("rawOrt share of peak", RawOrtShareOfPeak, 0.3, 1.0);
    }
}
